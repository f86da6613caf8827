// Synthetic product photos with known true masks, for measuring the local provider: cluttered scenes
// with one main product, multi-part products, props and tags, products cut off by the frame, top
// views, large products. Every scene is drawn twice from the same geometry: once as a photo (shaded
// objects, cast shadows, a textured surface, lens blur, sensor noise, JPEG) and once as the true
// mask of the product alone. Deterministic: the same scene always gives the same bytes.
import sharp from "sharp";
import type { ProductContext } from "../../app/studio/types";

export interface SyntheticScene {
  name: string;
  /** What the scene tests. */
  kind: "plain" | "clutter" | "multi-part" | "props" | "cut-off" | "top-view" | "large";
  photo: Buffer;
  /** The product's true mask at the photo's size, one byte per pixel (255 = product). */
  mask: Buffer;
  width: number;
  height: number;
  product: ProductContext;
  expect: { keptObjects: number; touchesEdge: boolean; view: "table" | "floor" | "top" };
}

/** An object: SVG elements whose fill is written FILL, its colour, and details drawn inside it. */
interface Thing {
  shape: string;
  colour: string;
  details?: string;
  /** Part of the product (in the true mask), or a prop / background object. */
  product: boolean;
  /** Out of focus (a background object). */
  blur?: number;
  /** Cast shadow under it: [cx, cy, rx, ry]. */
  shadow?: [number, number, number, number];
}

interface SceneSpec {
  name: string;
  kind: SyntheticScene["kind"];
  width: number;
  height: number;
  surface: "wood" | "linen" | "marble" | "paper" | "concrete" | "floor";
  things: Thing[];
  product: ProductContext;
  expect: SyntheticScene["expect"];
}

const fill = (shape: string, colour: string) => shape.replaceAll("FILL", colour);

function jar(cx: number, bottom: number, h: number, colour: string): Thing {
  const w = h * 0.72;
  const x = cx - w / 2;
  const y = bottom - h;
  return {
    shape: `<rect x="${x}" y="${y + h * 0.14}" width="${w}" height="${h * 0.86}" rx="${w * 0.12}" fill="FILL"/><rect x="${x + w * 0.13}" y="${y}" width="${w * 0.74}" height="${h * 0.16}" rx="${w * 0.04}" fill="FILL"/>`,
    colour,
    details: `<rect x="${x + w * 0.13}" y="${y}" width="${w * 0.74}" height="${h * 0.16}" rx="${w * 0.04}" fill="#2c2c2c"/><rect x="${x + w * 0.08}" y="${y + h * 0.42}" width="${w * 0.84}" height="${h * 0.3}" fill="#f4ecd8"/><text x="${cx}" y="${y + h * 0.62}" font-size="${h * 0.12}" text-anchor="middle" fill="#222" font-family="serif">JAM</text>`,
    product: true,
    shadow: [cx + w * 0.1, bottom, w * 0.6, h * 0.05],
  };
}

function bottle(cx: number, bottom: number, h: number, colour: string): Thing {
  const w = h * 0.34;
  const x = cx - w / 2;
  const y = bottom - h;
  return {
    shape: `<rect x="${x}" y="${y + h * 0.38}" width="${w}" height="${h * 0.62}" rx="${w * 0.1}" fill="FILL"/><path d="M${x} ${y + h * 0.42} Q${x} ${y + h * 0.26} ${cx - w * 0.16} ${y + h * 0.22} L${cx + w * 0.16} ${y + h * 0.22} Q${x + w} ${y + h * 0.26} ${x + w} ${y + h * 0.42} Z" fill="FILL"/><rect x="${cx - w * 0.16}" y="${y + h * 0.04}" width="${w * 0.32}" height="${h * 0.2}" fill="FILL"/><rect x="${cx - w * 0.19}" y="${y}" width="${w * 0.38}" height="${h * 0.07}" rx="${w * 0.03}" fill="FILL"/>`,
    colour,
    details: `<rect x="${cx - w * 0.19}" y="${y}" width="${w * 0.38}" height="${h * 0.07}" fill="#b8962e"/><rect x="${x}" y="${y + h * 0.55}" width="${w}" height="${h * 0.25}" fill="#efe7d2"/>`,
    product: true,
    shadow: [cx + w * 0.2, bottom, w * 0.7, h * 0.03],
  };
}

function vase(cx: number, top: number, h: number, colour: string): Thing {
  const w = h * 0.5;
  return {
    shape: `<path d="M${cx - w * 0.2} ${top} L${cx + w * 0.2} ${top} Q${cx + w * 0.15} ${top + h * 0.2} ${cx + w * 0.5} ${top + h * 0.55} Q${cx + w * 0.6} ${top + h * 0.85} ${cx + w * 0.3} ${top + h} L${cx - w * 0.3} ${top + h} Q${cx - w * 0.6} ${top + h * 0.85} ${cx - w * 0.5} ${top + h * 0.55} Q${cx - w * 0.15} ${top + h * 0.2} ${cx - w * 0.2} ${top} Z" fill="FILL"/>`,
    colour,
    details: `<rect x="${cx - w}" y="${top + h * 0.5}" width="${2 * w}" height="${h * 0.04}" fill="#ffffff" fill-opacity="0.35"/>`,
    product: true,
  };
}

function cupAndSaucer(cx: number, bottom: number, h: number): Thing[] {
  const w = h * 1.6;
  const saucer: Thing = {
    shape: `<ellipse cx="${cx}" cy="${bottom - h * 0.1}" rx="${w / 2}" ry="${h * 0.12}" fill="FILL"/>`,
    colour: "#f2efe9",
    product: true,
    shadow: [cx, bottom - h * 0.04, w * 0.52, h * 0.06],
  };
  const cw = w * 0.52;
  const cupTop = bottom - h;
  const cup: Thing = {
    shape: `<path d="M${cx - cw / 2} ${cupTop} L${cx + cw / 2} ${cupTop} Q${cx + cw * 0.45} ${bottom - h * 0.2} ${cx + cw * 0.2} ${bottom - h * 0.14} L${cx - cw * 0.2} ${bottom - h * 0.14} Q${cx - cw * 0.45} ${bottom - h * 0.2} ${cx - cw / 2} ${cupTop} Z" fill="FILL"/><path fill-rule="evenodd" d="M${cx + cw * 0.42} ${cupTop + h * 0.15} a${h * 0.2} ${h * 0.22} 0 1 1 0 ${h * 0.44} l0 -${h * 0.1} a${h * 0.12} ${h * 0.12} 0 1 0 0 -${h * 0.24} Z" fill="FILL"/>`,
    colour: "#f7f4ee",
    details: `<rect x="${cx - cw / 2}" y="${cupTop + h * 0.1}" width="${cw}" height="${h * 0.06}" fill="#3d6fa6"/>`,
    product: true,
  };
  // The spoon rests on the saucer, in front of the cup.
  const spoon: Thing = {
    shape: `<ellipse cx="${cx - w * 0.36}" cy="${bottom - h * 0.12}" rx="${h * 0.09}" ry="${h * 0.045}" fill="FILL"/><rect x="${cx - w * 0.36}" y="${bottom - h * 0.135}" width="${w * 0.3}" height="${h * 0.03}" rx="${h * 0.015}" fill="FILL"/>`,
    colour: "#b9bcc0",
    product: true,
  };
  return [saucer, cup, spoon];
}

function shoe(x: number, bottom: number, len: number, colour: string, mirror: boolean, sole = "#4a3b2f"): Thing {
  const h = len * 0.42;
  const d = mirror
    ? `M${x} ${bottom} L${x + len} ${bottom} L${x + len} ${bottom - h * 0.55} Q${x + len * 0.92} ${bottom - h} ${x + len * 0.72} ${bottom - h} L${x + len * 0.58} ${bottom - h * 0.62} Q${x + len * 0.2} ${bottom - h * 0.6} ${x + len * 0.04} ${bottom - h * 0.32} Q${x} ${bottom - h * 0.15} ${x} ${bottom} Z`
    : `M${x} ${bottom} L${x + len} ${bottom} Q${x + len} ${bottom - h * 0.15} ${x + len * 0.96} ${bottom - h * 0.32} Q${x + len * 0.8} ${bottom - h * 0.6} ${x + len * 0.42} ${bottom - h * 0.62} L${x + len * 0.28} ${bottom - h} Q${x + len * 0.08} ${bottom - h} ${x} ${bottom - h * 0.55} Z`;
  return {
    shape: `<path d="${d}" fill="FILL"/>`,
    colour,
    details: `<rect x="${x}" y="${bottom - h * 0.1}" width="${len}" height="${h * 0.1}" fill="${sole}"/>`,
    product: true,
    shadow: [x + len / 2, bottom, len * 0.5, h * 0.06],
  };
}

function plateFromAbove(cx: number, cy: number, r: number): Thing {
  return {
    shape: `<circle cx="${cx}" cy="${cy}" r="${r}" fill="FILL"/>`,
    colour: "#f5f3ef",
    details: `<circle cx="${cx}" cy="${cy}" r="${r * 0.72}" fill="#ebe7e0"/><circle cx="${cx - r * 0.2}" cy="${cy - r * 0.1}" r="${r * 0.22}" fill="#c0392b"/><circle cx="${cx + r * 0.22}" cy="${cy + r * 0.05}" r="${r * 0.18}" fill="#27ae60"/><circle cx="${cx}" cy="${cy + r * 0.3}" r="${r * 0.16}" fill="#f1c40f"/>`,
    product: true,
    shadow: [cx + r * 0.05, cy + r * 0.05, r * 1.04, r * 1.04],
  };
}

function cupFromAbove(cx: number, cy: number, r: number): Thing {
  return {
    shape: `<circle cx="${cx}" cy="${cy}" r="${r}" fill="FILL"/><rect x="${cx + r * 0.9}" y="${cy - r * 0.16}" width="${r * 0.55}" height="${r * 0.32}" rx="${r * 0.14}" fill="FILL"/>`,
    colour: "#f4f1ea",
    details: `<circle cx="${cx}" cy="${cy}" r="${r * 0.8}" fill="#4a2c1a"/><circle cx="${cx - r * 0.2}" cy="${cy - r * 0.25}" r="${r * 0.25}" fill="#c89b6d" fill-opacity="0.7"/>`,
    product: true,
    shadow: [cx + r * 0.08, cy + r * 0.08, r * 1.05, r * 1.05],
  };
}

function sofa(cx: number, bottom: number, w: number, colour: string): Thing {
  const h = w * 0.45;
  const x = cx - w / 2;
  const y = bottom - h;
  return {
    shape: `<rect x="${x + w * 0.08}" y="${y}" width="${w * 0.84}" height="${h * 0.62}" rx="${h * 0.1}" fill="FILL"/><rect x="${x}" y="${y + h * 0.3}" width="${w * 0.14}" height="${h * 0.55}" rx="${h * 0.08}" fill="FILL"/><rect x="${x + w * 0.86}" y="${y + h * 0.3}" width="${w * 0.14}" height="${h * 0.55}" rx="${h * 0.08}" fill="FILL"/><rect x="${x + w * 0.1}" y="${y + h * 0.52}" width="${w * 0.8}" height="${h * 0.33}" rx="${h * 0.05}" fill="FILL"/><rect x="${x + w * 0.05}" y="${y + h * 0.85}" width="${w * 0.05}" height="${h * 0.15}" fill="FILL"/><rect x="${x + w * 0.9}" y="${y + h * 0.85}" width="${w * 0.05}" height="${h * 0.15}" fill="FILL"/>`,
    colour,
    details: `<rect x="${x + w * 0.1}" y="${y + h * 0.52}" width="${w * 0.8}" height="${h * 0.04}" fill="#000" fill-opacity="0.2"/><rect x="${x + w * 0.5}" y="${y + h * 0.05}" width="${w * 0.006}" height="${h * 0.47}" fill="#000" fill-opacity="0.25"/>`,
    product: true,
    shadow: [cx, bottom, w * 0.5, h * 0.05],
  };
}

function bag(cx: number, bottom: number, h: number, colour: string): Thing {
  const w = h * 1.1;
  return {
    shape: `<path d="M${cx - w * 0.42} ${bottom - h * 0.7} L${cx + w * 0.42} ${bottom - h * 0.7} L${cx + w / 2} ${bottom} L${cx - w / 2} ${bottom} Z" fill="FILL"/><path fill-rule="evenodd" d="M${cx - w * 0.25} ${bottom - h * 0.7} A${w * 0.25} ${h * 0.3} 0 0 1 ${cx + w * 0.25} ${bottom - h * 0.7} L${cx + w * 0.19} ${bottom - h * 0.7} A${w * 0.19} ${h * 0.23} 0 0 0 ${cx - w * 0.19} ${bottom - h * 0.7} Z" fill="FILL"/>`,
    colour,
    details: `<rect x="${cx - w * 0.1}" y="${bottom - h * 0.55}" width="${w * 0.2}" height="${h * 0.08}" fill="#d4af37"/>`,
    product: true,
  };
}

// Props: never part of the product.
const tag = (x: number, y: number, s: number): Thing => ({
  shape: `<rect x="${x}" y="${y}" width="${s}" height="${s * 0.6}" rx="${s * 0.08}" fill="FILL"/>`,
  colour: "#f6e27a",
  details: `<circle cx="${x + s * 0.15}" cy="${y + s * 0.3}" r="${s * 0.06}" fill="#777"/>`,
  product: false,
});
const clip = (x: number, y: number, s: number): Thing => ({
  shape: `<rect x="${x}" y="${y}" width="${s * 0.35}" height="${s}" rx="${s * 0.17}" fill="FILL"/>`,
  colour: "#d35400",
  product: false,
});
const leaf = (cx: number, cy: number, s: number): Thing => ({
  shape: `<ellipse cx="${cx}" cy="${cy}" rx="${s}" ry="${s * 0.38}" transform="rotate(-25 ${cx} ${cy})" fill="FILL"/>`,
  colour: "#3f7d3a",
  product: false,
});
const pebble = (cx: number, cy: number, s: number): Thing => ({
  shape: `<ellipse cx="${cx}" cy="${cy}" rx="${s}" ry="${s * 0.7}" fill="FILL"/>`,
  colour: "#8e8a84",
  product: false,
});
const plantPot = (x: number, bottom: number, h: number): Thing => ({
  shape: `<path d="M${x - h * 0.3} ${bottom - h * 0.45} L${x + h * 0.3} ${bottom - h * 0.45} L${x + h * 0.22} ${bottom} L${x - h * 0.22} ${bottom} Z" fill="FILL"/><circle cx="${x}" cy="${bottom - h * 0.65}" r="${h * 0.3}" fill="FILL"/><circle cx="${x + h * 0.22}" cy="${bottom - h * 0.8}" r="${h * 0.22}" fill="FILL"/>`,
  colour: "#5d7f4a",
  product: false,
  blur: 10,
});

function surfaceSvg(kind: SceneSpec["surface"], w: number, h: number): string {
  switch (kind) {
    case "wood":
      return `<defs><filter id="g" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.002 0.05" numOctaves="4" seed="7"/><feColorMatrix values="0 0 0 0 0.25 0 0 0 0 0.13 0 0 0 0 0.05 0 0 0 1.6 -0.5"/></filter></defs><rect width="100%" height="100%" fill="#a0703f"/><rect width="100%" height="100%" filter="url(#g)"/>`;
    case "linen":
      return `<defs><filter id="g" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.6 0.03" numOctaves="2" seed="3"/><feColorMatrix values="0 0 0 0 0.5 0 0 0 0 0.45 0 0 0 0 0.38 0 0 0 0.5 0"/></filter></defs><rect width="100%" height="100%" fill="#ddd2c0"/><rect width="100%" height="100%" filter="url(#g)"/>`;
    case "marble":
      return `<defs><filter id="g" x="0" y="0" width="100%" height="100%"><feTurbulence type="turbulence" baseFrequency="0.004 0.008" numOctaves="4" seed="5"/><feColorMatrix type="luminanceToAlpha"/><feComponentTransfer><feFuncA type="table" tableValues="0.8 0.4 0.1 0 0 0 0"/></feComponentTransfer><feColorMatrix values="0 0 0 0 0.5 0 0 0 0 0.5 0 0 0 0 0.52 0 0 0 0.7 0"/></filter></defs><rect width="100%" height="100%" fill="#ecebe8"/><rect width="100%" height="100%" filter="url(#g)"/>`;
    case "paper":
      return `<defs><linearGradient id="p" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f2f1ee"/><stop offset="1" stop-color="#dcdad5"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#p)"/>`;
    case "concrete":
      return `<defs><filter id="g" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.03" numOctaves="4" seed="9"/><feColorMatrix values="0 0 0 0 0.45 0 0 0 0 0.45 0 0 0 0 0.45 0 0 0 0.5 0"/></filter></defs><rect width="100%" height="100%" fill="#9a9894"/><rect width="100%" height="100%" filter="url(#g)"/>`;
    case "floor":
      return `<rect width="100%" height="${h * 0.55}" fill="#d8d2c8"/><rect y="${h * 0.55}" width="100%" height="${h * 0.03}" fill="#f3f0ea"/><defs><filter id="g" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.001 0.03" numOctaves="3" seed="2"/><feColorMatrix values="0 0 0 0 0.3 0 0 0 0 0.18 0 0 0 0 0.08 0 0 0 1.4 -0.45"/></filter></defs><rect y="${h * 0.58}" width="100%" height="${h * 0.42}" fill="#b07a4a"/><rect y="${h * 0.58}" width="100%" height="${h * 0.42}" filter="url(#g)"/>`;
  }
  return `<rect width="${w}" height="${h}" fill="#ccc"/>`;
}

async function render(spec: SceneSpec): Promise<SyntheticScene> {
  const { width: w, height: h } = spec;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`;
  let shapes = "";
  spec.things.forEach((t, i) => {
    const shade = `<linearGradient id="s${i}" x1="0" x2="1"><stop offset="0" stop-color="#fff" stop-opacity="0.18"/><stop offset="0.4" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.28"/></linearGradient><clipPath id="c${i}">${fill(t.shape, "#000")}</clipPath>`;
    const blur = t.blur ? `<filter id="b${i}"><feGaussianBlur stdDeviation="${t.blur}"/></filter>` : "";
    const shadow = t.shadow
      ? `<ellipse cx="${t.shadow[0]}" cy="${t.shadow[1]}" rx="${t.shadow[2]}" ry="${t.shadow[3]}" fill="#000" fill-opacity="0.35" filter="url(#soft)"/>`
      : "";
    shapes += `<defs>${shade}${blur}</defs>${shadow}<g${t.blur ? ` filter="url(#b${i})"` : ""}>${fill(t.shape, t.colour)}<g clip-path="url(#c${i})">${t.details ?? ""}<rect width="100%" height="100%" fill="url(#s${i})"/></g></g>`;
  });
  const soft = `<defs><filter id="soft" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${Math.max(w, h) * 0.008}"/></filter></defs>`;
  const photoSvg = `${open}${surfaceSvg(spec.surface, w, h)}${soft}${shapes}</svg>`;
  const maskSvg = `${open}<rect width="100%" height="100%" fill="#000"/>${spec.things
    .map((t) => fill(t.shape, t.product ? "#fff" : "#000"))
    .join("")}</svg>`;
  // A lens is never perfectly sharp, and a sensor is never silent.
  const base = await sharp(Buffer.from(photoSvg))
    .removeAlpha()
    .blur(Math.max(0.6, w / 3000))
    .raw()
    .toBuffer();
  const noise = makeNoise(base.length, spec.name);
  for (let i = 0; i < base.length; i++) base[i] = Math.max(0, Math.min(255, base[i] + noise[i]));
  const photo = await sharp(base, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const mask = await sharp(Buffer.from(maskSvg)).extractChannel(0).raw().toBuffer();
  return { name: spec.name, kind: spec.kind, photo, mask, width: w, height: h, product: spec.product, expect: spec.expect };
}

function makeNoise(length: number, name: string): Int8Array {
  let s = [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) || 1;
  const out = new Int8Array(length);
  for (let i = 0; i < length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = ((s >>> 24) % 7) - 3;
  }
  return out;
}

const TABLE = { keptObjects: 1, touchesEdge: false, view: "table" } as const;

/** The scene specs; `large` adds the 12-megapixel copy. */
function specs(): SceneSpec[] {
  const W = 2400;
  const H = 1800;
  return [
    {
      name: "jar-on-wood",
      kind: "plain",
      width: W,
      height: H,
      surface: "wood",
      things: [jar(1200, 1400, 1000, "#c0392b")],
      product: { title: "Strawberry jam" },
      expect: TABLE,
    },
    {
      name: "bottle-on-marble",
      kind: "plain",
      width: 1800,
      height: 2400,
      surface: "marble",
      things: [bottle(900, 2050, 1700, "#1e6b52")],
      product: { title: "Olive oil 500 ml" },
      expect: TABLE,
    },
    {
      name: "jar-on-paper",
      kind: "plain",
      width: W,
      height: H,
      surface: "paper",
      things: [jar(1150, 1450, 1100, "#2e86c1")],
      product: { title: "Blueberry jam" },
      expect: TABLE,
    },
    {
      name: "clutter-jar-with-props",
      kind: "clutter",
      width: W,
      height: H,
      surface: "linen",
      things: [
        plantPot(150, 1500, 1200),
        jar(1250, 1450, 900, "#8e44ad"),
        clip(1780, 1200, 160),
        leaf(1800, 1550, 130),
        pebble(700, 1560, 45),
      ],
      product: { title: "Plum jam" },
      expect: TABLE,
    },
    {
      name: "clutter-bottle-tag-pebbles",
      kind: "props",
      width: W,
      height: H,
      surface: "concrete",
      things: [
        bottle(1150, 1600, 1300, "#7d3c98"),
        tag(1450, 1450, 170),
        pebble(850, 1580, 50),
        pebble(1600, 1650, 35),
        leaf(700, 1350, 110),
      ],
      product: { title: "Lavender syrup" },
      expect: TABLE,
    },
    {
      name: "cup-saucer-spoon",
      kind: "multi-part",
      width: W,
      height: H,
      surface: "wood",
      things: cupAndSaucer(1200, 1350, 620),
      product: { title: "Espresso cup with saucer" },
      expect: TABLE,
    },
    {
      name: "pair-of-shoes",
      kind: "multi-part",
      width: W,
      height: H,
      surface: "concrete",
      things: [shoe(380, 1250, 780, "#6e2c00", false), shoe(1240, 1250, 780, "#6e2c00", true)],
      product: { title: "Leather loafers, pair" },
      expect: { keptObjects: 2, touchesEdge: false, view: "table" },
    },
    // A known hard case: a thin white sole on pale grey reads as a highlight to the model.
    {
      name: "white-soled-sneakers",
      kind: "multi-part",
      width: W,
      height: H,
      surface: "concrete",
      things: [shoe(380, 1250, 780, "#1f3a5f", false, "#f2efe8"), shoe(1240, 1250, 780, "#1f3a5f", true, "#f2efe8")],
      product: { title: "Canvas sneakers, pair" },
      expect: { keptObjects: 2, touchesEdge: false, view: "table" },
    },
    {
      name: "vase-cut-off-bottom",
      kind: "cut-off",
      width: W,
      height: H,
      surface: "paper",
      things: [vase(1200, 500, 1500, "#117a65")],
      product: { title: "Ceramic vase" },
      expect: { keptObjects: 1, touchesEdge: true, view: "table" },
    },
    {
      name: "bag-cut-off-right",
      kind: "cut-off",
      width: W,
      height: H,
      surface: "linen",
      things: [bag(2050, 1500, 1000, "#922b21")],
      product: { title: "Tote bag" },
      expect: { keptObjects: 1, touchesEdge: true, view: "table" },
    },
    {
      name: "plate-from-above",
      kind: "top-view",
      width: W,
      height: H,
      surface: "linen",
      things: [plateFromAbove(1200, 900, 640)],
      product: { title: "Stoneware dinner plate" },
      expect: { keptObjects: 1, touchesEdge: false, view: "top" },
    },
    {
      name: "espresso-cup-from-above",
      kind: "top-view",
      width: W,
      height: H,
      surface: "wood",
      things: [cupFromAbove(1150, 900, 480)],
      product: { title: "Espresso cup" },
      expect: { keptObjects: 1, touchesEdge: false, view: "top" },
    },
    {
      name: "sofa-large",
      kind: "large",
      width: W,
      height: H,
      surface: "floor",
      things: [sofa(1200, 1500, 1900, "#5b6770")],
      product: { title: "Three-seat sofa", productType: "Furniture" },
      expect: { keptObjects: 1, touchesEdge: false, view: "floor" },
    },
    {
      name: "jar-small-in-frame",
      kind: "plain",
      width: W,
      height: H,
      surface: "marble",
      things: [jar(1200, 1150, 520, "#d35400")],
      product: { title: "Marmalade" },
      expect: TABLE,
    },
    {
      name: "green-bottle-on-wood",
      kind: "plain",
      width: W,
      height: H,
      surface: "wood",
      things: [bottle(1250, 1650, 1450, "#196f3d")],
      product: { title: "Herb liqueur" },
      expect: TABLE,
    },
  ];
}

/** Every synthetic scene, rendered (about 14 photos of 4-5 MP; `names` picks some). */
export async function makeSyntheticScenes(names?: string[]): Promise<SyntheticScene[]> {
  const chosen = specs().filter((s) => !names || names.includes(s.name));
  const out: SyntheticScene[] = [];
  for (const spec of chosen) out.push(await render(spec));
  return out;
}

export const SYNTHETIC_SCENE_NAMES = specs().map((s) => s.name);
