import { crc32 } from "node:zlib";
import type { OutputFormat, ProviderName } from "./options";
import type { StudioOutput } from "./types";

/**
 * IPTC Digital Source Type labels (http://cv.iptc.org/newscodes/digitalsourcetype/, vocabulary of 2024-09-17):
 * generative providers make "trainedAlgorithmicMedia" (media created by a model trained on sampled content),
 * which Merchant Center asks for. The local provider keeps the photo's own product pixels and puts them on a
 * backdrop, light and shadow drawn by code: "compositeSynthetic", a mix of elements of which at least one is
 * synthetic. Not "compositeCapture" (the backdrop is no capture) nor "compositeWithTrainedAlgorithmicMedia"
 * (the segmentation model only draws the cut line; it creates no pixels).
 */
export const DIGITAL_SOURCE_TYPE = {
  generative: "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
  composite: "http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic",
} as const;

export function digitalSourceTypeFor(provider: ProviderName): string {
  return provider === "local" ? DIGITAL_SOURCE_TYPE.composite : DIGITAL_SOURCE_TYPE.generative;
}

export function xmpPacket(digitalSourceType: string): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">',
    `<Iptc4xmpExt:DigitalSourceType>${digitalSourceType}</Iptc4xmpExt:DigitalSourceType>`,
    "</rdf:Description>",
    "</rdf:RDF>",
    "</x:xmpmeta>",
    '<?xpacket end="w"?>',
  ].join("\n");
}

/**
 * Every output leaves the engine labelled. The XMP is written into the encoded file as a metadata block,
 * without decoding or re-encoding it: the pixels published are exactly the pixels the quality gates
 * checked (sharp's withXmp() would re-encode, and a second JPEG pass changes pixels).
 */
export function labelOutput(output: StudioOutput): StudioOutput {
  const data = withXmp(output.data, output.format, xmpPacket(digitalSourceTypeFor(output.provider)), output);
  return { ...output, data, report: { ...output.report, bytes: data.length } };
}

export function withXmp(file: Buffer, format: OutputFormat, xmp: string, size: { width: number; height: number }): Buffer {
  if (format === "jpeg") return jpegWithXmp(file, xmp);
  if (format === "png") return pngWithXmp(file, xmp);
  return webpWithXmp(file, xmp, size);
}

const JPEG_XMP_NAMESPACE = Buffer.from("http://ns.adobe.com/xap/1.0/\0", "latin1");

/** An APP1 segment after SOI and any JFIF APP0, where readers look for XMP. */
function jpegWithXmp(file: Buffer, xmp: string): Buffer {
  if (file[0] !== 0xff || file[1] !== 0xd8) throw new Error("not a JPEG file");
  let at = 2;
  while (file[at] === 0xff && file[at + 1] === 0xe0) at += 2 + file.readUInt16BE(at + 2);
  const payload = Buffer.concat([JPEG_XMP_NAMESPACE, Buffer.from(xmp, "utf8")]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([file.subarray(0, at), header, payload, file.subarray(at)]);
}

/** An uncompressed iTXt chunk with the keyword XMP readers expect, right after IHDR. */
function pngWithXmp(file: Buffer, xmp: string): Buffer {
  const ihdrEnd = 8 + 8 + file.readUInt32BE(8) + 4;
  if (file.toString("latin1", 12, 16) !== "IHDR") throw new Error("not a PNG file");
  const data = Buffer.concat([Buffer.from("XML:com.adobe.xmp\0\0\0\0\0", "latin1"), Buffer.from(xmp, "utf8")]);
  const typeAndData = Buffer.concat([Buffer.from("iTXt", "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData), 0);
  return Buffer.concat([file.subarray(0, ihdrEnd), length, typeAndData, crc, file.subarray(ihdrEnd)]);
}

/** An "XMP " chunk, announced in the VP8X header (which simple lossy/lossless files lack, so it is added). */
function webpWithXmp(file: Buffer, xmp: string, size: { width: number; height: number }): Buffer {
  if (file.toString("latin1", 0, 4) !== "RIFF" || file.toString("latin1", 8, 12) !== "WEBP") throw new Error("not a WebP file");
  const first = file.toString("latin1", 12, 16);
  let head: Buffer;
  let body = file.subarray(12);
  if (first === "VP8X") {
    head = Buffer.from(file.subarray(12, 12 + 18));
    head[8] = head[8] | 0x04;
    body = file.subarray(12 + 18);
  } else {
    // A lossless bitstream says whether it uses alpha; a simple lossy one has none.
    const alpha = first === "VP8L" && ((file.readUInt32LE(21) >>> 28) & 1) === 1;
    head = Buffer.alloc(18);
    head.write("VP8X", 0, "latin1");
    head.writeUInt32LE(10, 4);
    head[8] = 0x04 | (alpha ? 0x10 : 0);
    head.writeUIntLE(size.width - 1, 12, 3);
    head.writeUIntLE(size.height - 1, 15, 3);
  }
  const xmpData = Buffer.from(xmp, "utf8");
  const chunkHeader = Buffer.alloc(8);
  chunkHeader.write("XMP ", 0, "latin1");
  chunkHeader.writeUInt32LE(xmpData.length, 4);
  const padding = Buffer.alloc(xmpData.length % 2);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "latin1");
  riff.write("WEBP", 8, "latin1");
  const out = Buffer.concat([riff, head, body, chunkHeader, xmpData, padding]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}
