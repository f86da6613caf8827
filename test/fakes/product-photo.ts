import sharp from "sharp";

export interface PhotoSpec {
  width?: number;
  height?: number;
  /** Product centre as a share of the frame. */
  centre?: [number, number];
  /** Product height as a share of the frame height. */
  scale?: number;
  colour?: string;
  /** A flat background instead of a textured tabletop (e.g. an AI's off-white). */
  background?: string;
  blur?: number;
}

/** A procedural product photo: a labelled jar with a lid and a cast shadow on a textured surface. */
export async function makeProductPhoto(spec: PhotoSpec = {}): Promise<Buffer> {
  const { width = 800, height = 600, centre = [0.5, 0.5], scale = 0.6, colour = "#c0392b", background, blur } = spec;
  const h = height * scale;
  const w = h * 0.75;
  const x = width * centre[0] - w / 2;
  const y = height * centre[1] - h / 2;
  const ground = background
    ? `<rect width="100%" height="100%" fill="${background}"/>`
    : `<rect width="100%" height="100%" fill="#d8cfc0"/><rect width="100%" height="100%" filter="url(#grain)"/>
       <ellipse cx="${x + w * 0.6}" cy="${y + h}" rx="${w * 0.6}" ry="${h * 0.06}" fill="#000" opacity="0.35" filter="url(#soft)"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs>
<filter id="grain"><feTurbulence baseFrequency="0.8" numOctaves="2" seed="3"/><feColorMatrix values="0 0 0 0 0.75 0 0 0 0 0.7 0 0 0 0 0.6 0 0 0 0.3 0"/></filter>
<filter id="soft"><feGaussianBlur stdDeviation="${h * 0.03}"/></filter>
<linearGradient id="body" x1="0" x2="1"><stop offset="0" stop-color="${colour}"/><stop offset="0.35" stop-color="#ffffff" stop-opacity="0.35"/><stop offset="0.4" stop-color="${colour}"/><stop offset="1" stop-color="#000" stop-opacity="0.5"/></linearGradient>
</defs>
${ground}
<rect x="${x}" y="${y + h * 0.14}" width="${w}" height="${h * 0.86}" rx="${w * 0.12}" fill="${colour}"/>
<rect x="${x}" y="${y + h * 0.14}" width="${w}" height="${h * 0.86}" rx="${w * 0.12}" fill="url(#body)"/>
<rect x="${x + w * 0.15}" y="${y}" width="${w * 0.7}" height="${h * 0.16}" rx="${w * 0.04}" fill="#2c2c2c"/>
<rect x="${x + w * 0.1}" y="${y + h * 0.42}" width="${w * 0.8}" height="${h * 0.3}" fill="#f4ecd8"/>
<text x="${x + w / 2}" y="${y + h * 0.62}" font-size="${h * 0.12}" text-anchor="middle" fill="#222" font-family="serif">JAM</text>
</svg>`;
  let image = sharp(Buffer.from(svg)).flatten({ background: "#ffffff" });
  if (blur) image = image.blur(blur);
  return image.jpeg({ quality: 92 }).toBuffer();
}
