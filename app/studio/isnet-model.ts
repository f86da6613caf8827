// The ISNet export the library ships as its "medium" model stores weights and activations as fp16,
// with Cast nodes between fp16 and fp32 around the parts kept in fp32 (the Resize ops). This CPU has
// no fp16 convolution, so onnxruntime runs every fp16 op through casts of its own: on 2 cores that
// costs about a third of the inference. The same graph with its weights widened to fp32 (exactly:
// every fp16 value is an fp32 value) and the casts taken out computes the same mask without them.
// Only the graph outputs the engine reads are kept (the five deep-supervision side outputs and the
// intermediate features are training aids). The rewrite is done on the protobuf wire format, into one
// buffer of the final size, so loading never holds more than the packed model and its rewrite.

const CAST = "Cast";
const FLOAT = 1;
const FLOAT16 = 10;

// ONNX field numbers (onnx.proto).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const VALUE_INFO_NAME = 1;

interface Field {
  field: number;
  wire: number;
  /** The whole field, tag included. */
  start: number;
  end: number;
  /** Payload of a length-delimited field. */
  value: number;
  varint: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 1;
  for (;;) {
    const byte = buf[pos++];
    result += (byte & 0x7f) * shift;
    if (byte < 0x80) return [result, pos];
    shift *= 128;
  }
}

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const from = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = afterTag;
    let value = pos;
    let varint = 0;
    if (wire === 0) [varint, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [length, payload] = readVarint(buf, pos);
      value = payload;
      varint = length;
      pos = payload + length;
    } else throw new Error(`ISNet model: unsupported protobuf wire type ${wire}`);
    yield { field, wire, start: from, end: pos, value, varint };
  }
}

const text = (buf: Uint8Array, f: Field) => Buffer.from(buf.buffer, buf.byteOffset + f.value, f.varint).toString("utf8");

function varintBytes(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

const header = (field: number, length: number) => Buffer.from([...varintBytes(field * 8 + 2), ...varintBytes(length)]);

/** A piece of the output: bytes to copy, or fp16 values to write widened. */
type Part = Uint8Array | { fp16: Uint8Array };
const partLength = (p: Part) => ("fp16" in p ? p.fp16.length * 2 : p.length);

interface Node {
  inputs: string[];
  outputs: string[];
  opType: string;
  /** The node's fields other than its inputs, copied as they are. */
  rest: Uint8Array[];
}

interface Initializer {
  name: string;
  dataType: number;
  /** Fields before and after the raw data, and the raw data itself. */
  fields: { f: Field; bytes: Uint8Array }[];
}

/**
 * The fp32, single-output form of an fp16 ISNet ONNX model (see above). `keep` names the graph
 * outputs to keep; the result is a complete ONNX model for onnxruntime.
 */
export function widenIsnetModel(model: Uint8Array, keep: string[] = ["output"]): Uint8Array {
  const modelParts: Part[] = [];
  let graphField: Field | null = null;
  for (const f of fields(model, 0, model.length)) {
    if (f.field === MODEL_GRAPH && f.wire === 2) graphField = f;
    else modelParts.push(model.subarray(f.start, f.end));
  }
  if (!graphField) throw new Error("ISNet model: no graph");

  const nodes: Node[] = [];
  const initializers: Initializer[] = [];
  const graphRest: Uint8Array[] = [];
  const outputs: { name: string; bytes: Uint8Array }[] = [];
  for (const f of fields(model, graphField.value, graphField.value + graphField.varint)) {
    const bytes = model.subarray(f.start, f.end);
    if (f.field === GRAPH_NODE) nodes.push(readNode(model, f));
    else if (f.field === GRAPH_INITIALIZER) initializers.push(readInitializer(model, f));
    else if (f.field === GRAPH_OUTPUT) {
      let name = "";
      for (const g of fields(model, f.value, f.value + f.varint)) if (g.field === VALUE_INFO_NAME) name = text(model, g);
      outputs.push({ name, bytes });
    } else if (f.field === GRAPH_VALUE_INFO)
      continue; // Declares fp16 types that no longer hold.
    else graphRest.push(bytes);
  }
  const kept = outputs.filter((o) => keep.includes(o.name));
  if (kept.length !== keep.length) throw new Error(`ISNet model: missing output(s) ${keep.join(", ")}`);
  const graphOutputs = new Set(keep);

  // Every cast is between fp16 and fp32 (the converter's), so with fp32 everywhere it passes its input
  // on unchanged: its consumers read its input instead. A cast that produces a graph output stays
  // (a float-to-float cast, a copy of the mask) so the output keeps its name.
  const alias = new Map<string, string>();
  for (const node of nodes) {
    if (node.opType === CAST && !graphOutputs.has(node.outputs[0])) alias.set(node.outputs[0], node.inputs[0]);
  }
  const resolve = (name: string) => {
    while (alias.has(name)) name = alias.get(name)!;
    return name;
  };
  const live = nodes.filter((n) => n.opType !== CAST || graphOutputs.has(n.outputs[0]));
  for (const node of live) node.inputs = node.inputs.map((name) => (name ? resolve(name) : name));
  // Only what the kept outputs depend on.
  const producer = new Map<string, Node>();
  for (const node of live) for (const out of node.outputs) producer.set(out, node);
  const needed = new Set<string>();
  const reached = new Set<Node>();
  const stack = [...keep];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const node = producer.get(name);
    if (node && !reached.has(node)) {
      reached.add(node);
      stack.push(...node.inputs.filter(Boolean));
    }
  }

  const graphParts: Part[] = [...graphRest];
  for (const node of live) {
    if (!reached.has(node)) continue;
    const inputs = node.inputs.map((name) => {
      const value = Buffer.from(name, "utf8");
      return Buffer.concat([header(NODE_INPUT, value.length), value]);
    });
    const body = [...inputs, ...node.rest];
    graphParts.push(
      header(
        GRAPH_NODE,
        body.reduce((n, b) => n + b.length, 0),
      ),
      ...body,
    );
  }
  for (const tensor of initializers) {
    if (!needed.has(tensor.name)) continue;
    if (tensor.dataType !== FLOAT16) {
      const body = tensor.fields.map((f) => f.bytes);
      graphParts.push(
        header(
          GRAPH_INITIALIZER,
          body.reduce((n, b) => n + b.length, 0),
        ),
        ...body,
      );
      continue;
    }
    const body: Part[] = [];
    for (const { f, bytes } of tensor.fields) {
      if (f.field === TENSOR_DATA_TYPE) body.push(Buffer.from([TENSOR_DATA_TYPE * 8, FLOAT]));
      else if (f.field === TENSOR_RAW_DATA)
        body.push(header(TENSOR_RAW_DATA, f.varint * 2), { fp16: model.subarray(f.value, f.value + f.varint) });
      else body.push(bytes);
    }
    graphParts.push(
      header(
        GRAPH_INITIALIZER,
        body.reduce((n, p) => n + partLength(p), 0),
      ),
      ...body,
    );
  }
  for (const output of kept) graphParts.push(output.bytes);

  const graphLength = graphParts.reduce((n, p) => n + partLength(p), 0);
  modelParts.push(header(MODEL_GRAPH, graphLength), ...graphParts);
  const out = new Uint8Array(modelParts.reduce((n, p) => n + partLength(p), 0));
  let pos = 0;
  for (const part of modelParts) {
    if ("fp16" in part) {
      writeWidened(part.fp16, out, pos);
      pos += part.fp16.length * 2;
    } else {
      out.set(part, pos);
      pos += part.length;
    }
  }
  return out;
}

function readNode(buf: Uint8Array, f: Field): Node {
  const node: Node = { inputs: [], outputs: [], opType: "", rest: [] };
  for (const g of fields(buf, f.value, f.value + f.varint)) {
    if (g.field === NODE_INPUT) {
      node.inputs.push(text(buf, g));
      continue;
    }
    if (g.field === NODE_OUTPUT) node.outputs.push(text(buf, g));
    if (g.field === NODE_OP_TYPE) node.opType = text(buf, g);
    node.rest.push(buf.subarray(g.start, g.end));
  }
  return node;
}

function readInitializer(buf: Uint8Array, f: Field): Initializer {
  const tensor: Initializer = { name: "", dataType: 0, fields: [] };
  for (const g of fields(buf, f.value, f.value + f.varint)) {
    if (g.field === TENSOR_NAME) tensor.name = text(buf, g);
    if (g.field === TENSOR_DATA_TYPE) tensor.dataType = g.varint;
    tensor.fields.push({ f: g, bytes: buf.subarray(g.start, g.end) });
  }
  return tensor;
}

let halfTable: Float32Array | null = null;

/** Every fp16 bit pattern as fp32 (exact: fp32 holds every fp16 value). */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    halfTable[h] =
      exponent === 0
        ? sign * fraction * 2 ** -24
        : exponent === 31
          ? fraction
            ? NaN
            : sign * Infinity
          : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

function writeWidened(fp16: Uint8Array, out: Uint8Array, pos: number): void {
  const table = halves();
  const view = new DataView(out.buffer, out.byteOffset + pos, fp16.length * 2);
  for (let i = 0, j = 0; i < fp16.length; i += 2, j += 4) view.setFloat32(j, table[fp16[i] | (fp16[i + 1] << 8)], true);
}
