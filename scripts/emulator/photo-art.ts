/**
 * SVG drawings for the demo photos: everyday surfaces and simple, shaded products. Each product is drawn
 * in its own coordinates: standing objects with the origin at the middle of their base, flat (top view)
 * objects with the origin at their centre. Random details come from the seeded `rng`.
 */

export type Rng = () => number;

export type Subject = "mug" | "sneaker" | "perfume" | "watch" | "plant" | "bag" | "pasta" | "headphones" | "candle";
export type Surface = "wood" | "marble" | "linen" | "floor" | "concrete";

export interface Drawing {
  svg: string;
  /** Width of the footprint, for the shadow. */
  width: number;
  flat: boolean;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rng: Rng, min: number, max: number) => min + rng() * (max - min);
const f = (n: number) => n.toFixed(1);

export function drawSurface(surface: Surface, width: number, height: number, seed: number, horizon: number): string {
  const table = drawTable(surface, width, height, seed);
  if (horizon <= 0) return table;
  const wall = surface === "marble" ? drawTiles(width, horizon, seed) : drawWall(width, horizon, seed);
  return `${table}${wall}<rect x="0" y="${f(horizon - 2)}" width="${width}" height="5" fill="#000" opacity="0.25"/>`;
}

function drawTable(surface: Surface, width: number, height: number, seed: number): string {
  switch (surface) {
    case "wood":
      return drawPlanks(width, height, seed, ["#9c6a3e", "#8c5c33", "#a7764a", "#93633a"], height / 4.6, "0.003 0.08");
    case "floor":
      return drawPlanks(width, height, seed, ["#c59d6e", "#b88f61", "#cfa878", "#be956a"], height / 7, "0.004 0.12");
    case "marble":
      return `<defs>
        <filter id="speck" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.7" numOctaves="2" seed="${seed}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.35  0 0 0 0 0.34  0 0 0 0 0.33  0 0 0 -2.2 1.25"/></filter>
        <filter id="vein" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.0035 0.006" numOctaves="5" seed="${seed + 7}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.45  0 0 0 0 0.45  0 0 0 0 0.47  1 0 0 0 0"/>
          <feComponentTransfer><feFuncA type="table" tableValues="0 0 0 0 0 0.7 0 0 0 0 0"/></feComponentTransfer>
          <feGaussianBlur stdDeviation="1.2"/></filter>
      </defs>
      <rect width="${width}" height="${height}" fill="#e7e4de"/>
      <rect width="${width}" height="${height}" filter="url(#vein)" opacity="0.55"/>
      <rect width="${width}" height="${height}" filter="url(#speck)" opacity="0.5"/>`;
    case "linen":
      return `<defs>
        <filter id="weaveA" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.9 0.025" numOctaves="2" seed="${seed}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.45  0 0 0 0 0.38  0 0 0 0 0.28  0 0 0 1.6 -0.55"/></filter>
        <filter id="weaveB" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.025 0.9" numOctaves="2" seed="${seed + 3}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.45  0 0 0 0 0.38  0 0 0 0 0.28  0 0 0 1.6 -0.55"/></filter>
        <filter id="folds" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.0025 0.004" numOctaves="3" seed="${seed + 11}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.2  0 0 0 0 0.15  0 0 0 0 0.1  0 0 0 -2.5 1.35"/></filter>
      </defs>
      <rect width="${width}" height="${height}" fill="#d9cdb6"/>
      <rect width="${width}" height="${height}" filter="url(#weaveA)" opacity="0.5"/>
      <rect width="${width}" height="${height}" filter="url(#weaveB)" opacity="0.5"/>
      <rect width="${width}" height="${height}" filter="url(#folds)" opacity="0.55"/>`;
    case "concrete":
      return `<defs>
        <filter id="concrete" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.012" numOctaves="6" seed="${seed}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.25  0 0 0 0 0.25  0 0 0 0 0.24  -1.4 0 0 0 1.05"/></filter>
        <filter id="pores" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="1" seed="${seed + 5}"/>
          <feColorMatrix type="matrix" values="0 0 0 0 0.1  0 0 0 0 0.1  0 0 0 0 0.1  0 0 0 -3 1.6"/></filter>
      </defs>
      <rect width="${width}" height="${height}" fill="#a9a6a0"/>
      <rect width="${width}" height="${height}" filter="url(#concrete)" opacity="0.6"/>
      <rect width="${width}" height="${height}" filter="url(#pores)" opacity="0.35"/>`;
  }
}

function drawPlanks(width: number, height: number, seed: number, tones: string[], plank: number, frequency: string): string {
  const rng = createRng(seed);
  let planks = "";
  for (let y = -between(rng, 0, plank), i = 0; y < height; y += plank, i++) {
    planks += `<rect x="0" y="${f(y)}" width="${width}" height="${f(plank)}" fill="${tones[i % tones.length]}"/>`;
    planks += `<rect x="0" y="${f(y)}" width="${width}" height="3" fill="#2e1a0c" opacity="0.55"/>`;
    const joint = between(rng, 0.15, 0.85) * width;
    planks += `<rect x="${f(joint)}" y="${f(y)}" width="3" height="${f(plank)}" fill="#2e1a0c" opacity="0.45"/>`;
  }
  return `<defs><filter id="grain" x="0" y="0" width="100%" height="100%">
      <feTurbulence type="fractalNoise" baseFrequency="${frequency}" numOctaves="4" seed="${seed}"/>
      <feColorMatrix type="matrix" values="0 0 0 0 0.2  0 0 0 0 0.1  0 0 0 0 0.04  0 0 0 1.8 -0.6"/></filter></defs>
    <rect width="${width}" height="${height}" fill="${tones[0]}"/>${planks}
    <rect width="${width}" height="${height}" filter="url(#grain)" opacity="0.7"/>`;
}

function drawWall(width: number, horizon: number, seed: number): string {
  return `<defs><linearGradient id="wall" x1="0" y1="0" x2="1" y2="0.3"><stop offset="0" stop-color="#efe9df"/><stop offset="1" stop-color="#cfc7ba"/></linearGradient>
      <filter id="plaster" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.02" numOctaves="3" seed="${seed + 1}"/>
      <feColorMatrix type="matrix" values="0 0 0 0 0.3  0 0 0 0 0.28  0 0 0 0 0.25  0 0 0 -1.5 0.9"/></filter></defs>
    <rect width="${width}" height="${f(horizon)}" fill="url(#wall)"/>
    <rect width="${width}" height="${f(horizon)}" filter="url(#plaster)" opacity="0.25"/>
    <rect x="0" y="${f(horizon - 36)}" width="${width}" height="36" fill="#f4f1ec"/>
    <rect x="0" y="${f(horizon - 38)}" width="${width}" height="3" fill="#b9b1a5"/>`;
}

function drawTiles(width: number, horizon: number, seed: number): string {
  const rng = createRng(seed + 2);
  const tileW = 150;
  const tileH = 75;
  let tiles = "";
  for (let row = 0; row * tileH < horizon; row++) {
    const offset = row % 2 ? tileW / 2 : 0;
    for (let x = -offset; x < width; x += tileW) {
      const shade = Math.round(between(rng, 236, 248));
      tiles += `<rect x="${f(x + 2)}" y="${f(row * tileH + 2)}" width="${tileW - 4}" height="${tileH - 4}" rx="4" fill="rgb(${shade},${shade},${shade - 4})"/>`;
    }
  }
  return `<rect width="${width}" height="${f(horizon)}" fill="#b8b4ad"/>${tiles}`;
}

export function drawSubject(subject: Subject, rng: Rng): Drawing {
  return DRAWERS[subject](rng);
}

const DRAWERS: Record<Subject, (rng: Rng) => Drawing> = {
  mug: (rng) => {
    let speckles = "";
    for (let i = 0; i < 140; i++) {
      speckles += `<circle cx="${f(between(rng, -150, 150))}" cy="${f(between(rng, -370, -40))}" r="${f(between(rng, 1.2, 3.2))}" fill="#2f2b24" opacity="${f(between(rng, 0.3, 0.7))}"/>`;
    }
    return {
      width: 330,
      flat: false,
      svg: `<defs>
        <linearGradient id="mugBody" x1="0" x2="1"><stop offset="0" stop-color="#4f6652"/><stop offset="0.2" stop-color="#87a08a"/><stop offset="0.42" stop-color="#b9ccb6"/><stop offset="0.7" stop-color="#819a81"/><stop offset="1" stop-color="#3f5442"/></linearGradient>
        <linearGradient id="mugClay" x1="0" x2="1"><stop offset="0" stop-color="#9e8a6a"/><stop offset="0.4" stop-color="#dcc9a6"/><stop offset="1" stop-color="#8a7758"/></linearGradient>
        <radialGradient id="coffee" cx="0.45" cy="0.4"><stop offset="0" stop-color="#6b4428"/><stop offset="1" stop-color="#2b170b"/></radialGradient>
        <clipPath id="mugClip"><path d="M-160,-380 L160,-380 L160,-30 A160,30 0 0 1 -160,-30 Z"/></clipPath>
      </defs>
      <path d="M148,-320 C275,-320 280,-110 148,-105" fill="none" stroke="#3f5442" stroke-width="48" stroke-linecap="round"/>
      <path d="M150,-318 C262,-316 266,-116 150,-110" fill="none" stroke="#8aa38b" stroke-width="30" stroke-linecap="round"/>
      <path d="M-160,-380 L160,-380 L160,-30 A160,30 0 0 1 -160,-30 Z" fill="url(#mugBody)"/>
      <g clip-path="url(#mugClip)">${speckles}<rect x="-170" y="-62" width="340" height="70" fill="url(#mugClay)"/>
        <path d="M-170,-62 Q0,-40 170,-62" fill="none" stroke="#3f5442" stroke-width="6" opacity="0.6"/></g>
      <ellipse cx="0" cy="-380" rx="160" ry="34" fill="#e8e2d3"/>
      <ellipse cx="0" cy="-377" rx="147" ry="27" fill="url(#coffee)"/>
      <rect x="-118" y="-330" width="22" height="250" rx="11" fill="#fff" opacity="0.18"/>
      <circle cx="-40" cy="-150" r="26" fill="none" stroke="#e8e2d3" stroke-width="4" opacity="0.8"/>
      <text x="-40" y="-142" font-family="DejaVu Serif" font-size="20" font-weight="bold" fill="#e8e2d3" text-anchor="middle" opacity="0.85">H&amp;K</text>`,
    };
  },
  sneaker: () => ({
    width: 700,
    flat: false,
    svg: `<defs>
      <linearGradient id="canvas" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3d5282"/><stop offset="0.6" stop-color="#26355a"/><stop offset="1" stop-color="#1a2440"/></linearGradient>
      <linearGradient id="sole" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fbf8f1"/><stop offset="1" stop-color="#cfc9bc"/></linearGradient>
    </defs>
    <path d="M-330,-72 L-322,-235 Q-300,-262 -240,-258 Q-170,-240 -120,-238 L-70,-300 Q-20,-318 10,-290 L40,-240 Q150,-190 260,-130 Q345,-100 350,-72 Z" fill="url(#canvas)"/>
    <path d="M-70,-300 Q-20,-318 10,-290 L40,-240 Q-20,-250 -90,-262 Z" fill="#34487a"/>
    <path d="M210,-72 Q220,-140 300,-118 Q350,-100 352,-72 Z" fill="#f1ede4"/>
    <g stroke="#f5f2ea" stroke-width="9" stroke-linecap="round">
      <line x1="-95" y1="-232" x2="-35" y2="-205"/><line x1="-95" y1="-205" x2="-35" y2="-232"/>
      <line x1="-35" y1="-205" x2="25" y2="-178"/><line x1="-35" y1="-178" x2="25" y2="-205"/>
      <line x1="25" y1="-178" x2="85" y2="-152"/><line x1="25" y1="-152" x2="85" y2="-178"/>
    </g>
    <g fill="#c9c3b5" stroke="#6f6a5e" stroke-width="2">
      <circle cx="-95" cy="-232" r="7"/><circle cx="-35" cy="-205" r="7"/><circle cx="25" cy="-178" r="7"/>
      <circle cx="-95" cy="-205" r="7"/><circle cx="-35" cy="-232" r="7"/><circle cx="85" cy="-152" r="7"/>
    </g>
    <path d="M-345,-10 Q-352,-62 -325,-78 L300,-78 Q356,-78 362,-36 Q360,0 305,0 L-310,0 Q-342,0 -345,-10 Z" fill="url(#sole)"/>
    <path d="M-348,-36 L360,-36" stroke="#8c3a2b" stroke-width="7"/>
    <path d="M-345,-52 L362,-52" stroke="#d6d0c3" stroke-width="2"/>
    <rect x="-338" y="-200" width="26" height="70" rx="4" fill="#b3322a"/>
    <text x="-325" y="-155" font-family="DejaVu Sans" font-size="13" font-weight="bold" fill="#fff" text-anchor="middle" transform="rotate(-90 -325 -165)">NL</text>
    <path d="M-322,-235 Q-200,-200 -130,-150 Q-40,-110 60,-100" fill="none" stroke="#101829" stroke-width="3" opacity="0.45"/>`,
  }),
  perfume: () => ({
    width: 270,
    flat: false,
    svg: `<defs>
      <linearGradient id="glass" x1="0" x2="1"><stop offset="0" stop-color="#c9d2d6" stop-opacity="0.95"/><stop offset="0.5" stop-color="#eef3f4" stop-opacity="0.7"/><stop offset="1" stop-color="#aab4b9" stop-opacity="0.95"/></linearGradient>
      <linearGradient id="amber" x1="0" x2="1"><stop offset="0" stop-color="#9a4c0f"/><stop offset="0.35" stop-color="#e7a44c"/><stop offset="0.6" stop-color="#d18a31"/><stop offset="1" stop-color="#7d3c0a"/></linearGradient>
      <linearGradient id="gold" x1="0" x2="1"><stop offset="0" stop-color="#8a6a2a"/><stop offset="0.45" stop-color="#f2d88c"/><stop offset="1" stop-color="#7a5a1e"/></linearGradient>
      <linearGradient id="cap" x1="0" x2="1"><stop offset="0" stop-color="#0c0c0d"/><stop offset="0.35" stop-color="#4a4a4f"/><stop offset="0.55" stop-color="#1c1c1f"/><stop offset="1" stop-color="#050506"/></linearGradient>
    </defs>
    <rect x="-132" y="-335" width="264" height="335" rx="30" fill="url(#glass)"/>
    <rect x="-112" y="-305" width="224" height="270" rx="18" fill="url(#amber)"/>
    <rect x="-132" y="-38" width="264" height="38" rx="14" fill="#dfe6e8" opacity="0.85"/>
    <rect x="-96" y="-295" width="16" height="250" rx="8" fill="#fff" opacity="0.45"/>
    <rect x="80" y="-290" width="8" height="230" rx="4" fill="#fff" opacity="0.25"/>
    <rect x="-32" y="-365" width="64" height="34" fill="#d8e0e2"/>
    <rect x="-48" y="-390" width="96" height="32" rx="4" fill="url(#gold)"/>
    <rect x="-62" y="-490" width="124" height="104" rx="12" fill="url(#cap)"/>
    <rect x="-80" y="-225" width="160" height="104" fill="#f4ecd9"/>
    <rect x="-72" y="-217" width="144" height="88" fill="none" stroke="#b58a3c" stroke-width="2"/>
    <text x="0" y="-182" font-family="DejaVu Serif" font-size="18" fill="#3b2a14" text-anchor="middle" letter-spacing="1">AMBER DUSK</text>
    <text x="0" y="-157" font-family="DejaVu Sans" font-size="11" fill="#6b5330" text-anchor="middle" letter-spacing="3">EAU DE PARFUM</text>
    <text x="0" y="-139" font-family="DejaVu Sans" font-size="11" fill="#6b5330" text-anchor="middle">50 ml</text>`,
  }),
  watch: () => {
    let markers = "";
    for (let i = 0; i < 12; i++) {
      markers += `<rect x="-5" y="-150" width="10" height="${i % 3 === 0 ? 34 : 20}" fill="#f1efe8" transform="rotate(${i * 30})"/>`;
    }
    let holes = "";
    for (let i = 0; i < 5; i++) holes += `<ellipse cx="0" cy="${300 + i * 40}" rx="7" ry="9" fill="#2b1a0e"/>`;
    return {
      width: 440,
      flat: true,
      svg: `<defs>
        <linearGradient id="strap" x1="0" x2="1"><stop offset="0" stop-color="#4e2e16"/><stop offset="0.5" stop-color="#8a5730"/><stop offset="1" stop-color="#4a2b14"/></linearGradient>
        <radialGradient id="steel" cx="0.35" cy="0.3"><stop offset="0" stop-color="#ffffff"/><stop offset="0.45" stop-color="#b9bdc2"/><stop offset="1" stop-color="#5c6167"/></radialGradient>
        <radialGradient id="dial" cx="0.4" cy="0.35"><stop offset="0" stop-color="#2f4a74"/><stop offset="1" stop-color="#0f1a2e"/></radialGradient>
      </defs>
      <rect x="-78" y="-560" width="156" height="1120" rx="40" fill="url(#strap)"/>
      <g stroke="#e0c9a4" stroke-width="3" stroke-dasharray="10 8" fill="none" opacity="0.8">
        <line x1="-62" y1="-540" x2="-62" y2="-200"/><line x1="62" y1="-540" x2="62" y2="-200"/>
        <line x1="-62" y1="200" x2="-62" y2="540"/><line x1="62" y1="200" x2="62" y2="540"/>
      </g>${holes}
      <rect x="-110" y="-230" width="220" height="460" rx="30" fill="#8d9298"/>
      <circle r="200" fill="url(#steel)"/>
      <rect x="192" y="-24" width="34" height="48" rx="8" fill="#9ca1a7"/>
      <circle r="176" fill="#2a2d31"/>
      <circle r="162" fill="url(#dial)"/>${markers}
      <text y="-72" font-family="DejaVu Sans" font-size="26" font-weight="bold" fill="#f1efe8" text-anchor="middle" letter-spacing="4">ARDEN</text>
      <text y="86" font-family="DejaVu Sans" font-size="13" fill="#c9c6bc" text-anchor="middle" letter-spacing="3">AUTOMATIC</text>
      <rect x="-7" y="-100" width="14" height="110" rx="6" fill="#e9e7e0" transform="rotate(305)"/>
      <rect x="-5" y="-140" width="10" height="150" rx="5" fill="#e9e7e0" transform="rotate(58)"/>
      <rect x="-1.5" y="-150" width="3" height="185" fill="#d9432f" transform="rotate(200)"/>
      <circle r="11" fill="#d9d7d0"/>
      <ellipse cx="-60" cy="-90" rx="70" ry="30" fill="#fff" opacity="0.12" transform="rotate(-35 -60 -90)"/>`,
    };
  },
  plant: (rng) => {
    let leaves = "";
    const count = 8;
    for (let i = 0; i < count; i++) {
      const baseX = between(rng, -95, 95);
      const height = between(rng, 380, 640);
      const lean = between(rng, -90, 90) + baseX * 0.6;
      const width = between(rng, 55, 80);
      const tipX = baseX + lean;
      const tipY = -340 - height;
      const midY = -340 - height * 0.45;
      leaves += `<path d="M${f(baseX - width / 2)},-335 C${f(baseX - width * 0.9 + lean * 0.3)},${f(midY)} ${f(tipX - width * 0.35)},${f(tipY + 90)} ${f(tipX)},${f(tipY)} C${f(tipX + width * 0.35)},${f(tipY + 90)} ${f(baseX + width * 0.9 + lean * 0.3)},${f(midY)} ${f(baseX + width / 2)},-335 Z"
        fill="url(#leaf${i % 2})" stroke="#c8c46c" stroke-width="5"/>`;
      leaves += `<path d="M${f(baseX)},-340 Q${f(baseX + lean * 0.4)},${f(midY)} ${f(tipX)},${f(tipY + 20)}" fill="none" stroke="#1d3b1f" stroke-width="3" opacity="0.45"/>`;
    }
    return {
      width: 340,
      flat: false,
      svg: `<defs>
        <linearGradient id="leaf0" x1="0" x2="1"><stop offset="0" stop-color="#23492a"/><stop offset="0.5" stop-color="#4f8a48"/><stop offset="1" stop-color="#1f4125"/></linearGradient>
        <linearGradient id="leaf1" x1="0" x2="1"><stop offset="0" stop-color="#2c5732"/><stop offset="0.5" stop-color="#69a35a"/><stop offset="1" stop-color="#294f2d"/></linearGradient>
        <linearGradient id="pot" x1="0" x2="1"><stop offset="0" stop-color="#8e3f1f"/><stop offset="0.38" stop-color="#d4804f"/><stop offset="0.65" stop-color="#b9653a"/><stop offset="1" stop-color="#7a3417"/></linearGradient>
      </defs>
      ${leaves}
      <path d="M-150,-300 L150,-300 L122,-12 Q120,0 105,0 L-105,0 Q-120,0 -122,-12 Z" fill="url(#pot)"/>
      <rect x="-172" y="-345" width="344" height="55" rx="8" fill="url(#pot)"/>
      <rect x="-172" y="-292" width="344" height="6" fill="#6e2f14" opacity="0.5"/>
      <rect x="-110" y="-330" width="18" height="300" rx="9" fill="#fff" opacity="0.12"/>`,
    };
  },
  bag: () => ({
    width: 600,
    flat: false,
    svg: `<defs>
      <linearGradient id="leather" x1="0" x2="1"><stop offset="0" stop-color="#6d4219"/><stop offset="0.3" stop-color="#b27d47"/><stop offset="0.6" stop-color="#a06c38"/><stop offset="1" stop-color="#5e3814"/></linearGradient>
      <linearGradient id="leatherTop" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0"/></linearGradient>
    </defs>
    <path d="M-175,-418 C-180,-650 -30,-650 -35,-418" fill="none" stroke="#4a2a0f" stroke-width="30"/>
    <path d="M35,-418 C30,-650 180,-650 175,-418" fill="none" stroke="#4a2a0f" stroke-width="30"/>
    <path d="M-175,-418 C-178,-630 -32,-630 -35,-418" fill="none" stroke="#7a4c22" stroke-width="14"/>
    <path d="M35,-418 C32,-630 178,-630 175,-418" fill="none" stroke="#7a4c22" stroke-width="14"/>
    <path d="M-300,-420 L300,-420 L272,-30 Q270,0 240,0 L-240,0 Q-270,0 -272,-30 Z" fill="url(#leather)"/>
    <path d="M-300,-420 L300,-420 L297,-380 L-297,-380 Z" fill="url(#leatherTop)"/>
    <path d="M-278,-400 L-252,-24 M278,-400 L252,-24 M-250,-20 L250,-20" stroke="#f0d9b5" stroke-width="3" stroke-dasharray="11 8" fill="none" opacity="0.75"/>
    <rect x="-200" y="-428" width="26" height="44" rx="4" fill="#c9a866"/><rect x="174" y="-428" width="26" height="44" rx="4" fill="#c9a866"/>
    <rect x="-80" y="-270" width="160" height="64" rx="6" fill="#7b4a1e"/>
    <rect x="-72" y="-262" width="144" height="48" rx="4" fill="none" stroke="#e8caa0" stroke-width="2" stroke-dasharray="6 5"/>
    <text x="0" y="-230" font-family="DejaVu Serif" font-size="17" fill="#e9cfa6" text-anchor="middle" letter-spacing="3">SADDLE ROW</text>
    <rect x="-240" y="-380" width="40" height="340" fill="#fff" opacity="0.07"/>`,
  }),
  pasta: (rng) => {
    let strands = "";
    let sauce = "";
    for (let i = 0; i < 170; i++) {
      const angle = between(rng, 0, Math.PI * 2);
      const radius = Math.sqrt(rng()) * 150;
      const x = Math.cos(angle) * radius;
      const y = Math.sin(angle) * radius;
      const turn = between(rng, 0, Math.PI * 2);
      const len = between(rng, 40, 110);
      const cx = x + Math.cos(turn) * len;
      const cy = y + Math.sin(turn) * len;
      const ex = x + Math.cos(turn + between(rng, 0.8, 2.4)) * len;
      const ey = y + Math.sin(turn + between(rng, 0.8, 2.4)) * len;
      strands += `<path d="M${f(x)},${f(y)} Q${f(cx)},${f(cy)} ${f(ex)},${f(ey)}" stroke="#b8862c" stroke-width="12" fill="none" stroke-linecap="round"/>`;
      strands += `<path d="M${f(x)},${f(y)} Q${f(cx)},${f(cy)} ${f(ex)},${f(ey)}" stroke="#efcd74" stroke-width="8" fill="none" stroke-linecap="round"/>`;
    }
    for (let i = 0; i < 16; i++) {
      const a = between(rng, 0, Math.PI * 2);
      const r = Math.sqrt(rng()) * 120;
      sauce += `<circle cx="${f(Math.cos(a) * r)}" cy="${f(Math.sin(a) * r)}" r="${f(between(rng, 12, 30))}" fill="#b3301c" opacity="0.88"/>`;
    }
    let cheese = "";
    for (let i = 0; i < 70; i++) {
      const a = between(rng, 0, Math.PI * 2);
      const r = Math.sqrt(rng()) * 140;
      cheese += `<circle cx="${f(Math.cos(a) * r)}" cy="${f(Math.sin(a) * r)}" r="${f(between(rng, 2, 5))}" fill="#fbf5dc"/>`;
    }
    return {
      width: 660,
      flat: true,
      svg: `<defs><radialGradient id="plate" cx="0.45" cy="0.42"><stop offset="0" stop-color="#ffffff"/><stop offset="0.7" stop-color="#f3f1ec"/><stop offset="1" stop-color="#d9d5cc"/></radialGradient></defs>
      <rect x="380" y="-300" width="210" height="560" rx="10" fill="#c7d3d8" transform="rotate(8 480 0)"/>
      <rect x="380" y="-300" width="210" height="560" rx="10" fill="none" stroke="#a9b9bf" stroke-width="6" stroke-dasharray="2 10" transform="rotate(8 480 0)"/>
      <g transform="rotate(8 480 0)"><rect x="470" y="-230" width="22" height="330" rx="10" fill="#b7bcc1"/>
        <path d="M455,-230 L455,-320 M470,-230 L470,-320 M485,-230 L485,-320 M500,-230 L500,-320" stroke="#b7bcc1" stroke-width="9" stroke-linecap="round"/>
        <rect x="476" y="-220" width="6" height="300" rx="3" fill="#fff" opacity="0.5"/></g>
      <circle r="330" fill="url(#plate)"/>
      <circle r="232" fill="none" stroke="#d6d2c9" stroke-width="7" opacity="0.7"/>
      ${strands}${sauce}${cheese}
      <ellipse cx="-30" cy="-40" rx="32" ry="15" fill="#3f7d2c" transform="rotate(-30 -30 -40)"/>
      <ellipse cx="38" cy="-10" rx="28" ry="13" fill="#4b8f34" transform="rotate(40 38 -10)"/>
      <ellipse cx="5" cy="35" rx="30" ry="14" fill="#3a7428" transform="rotate(10 5 35)"/>`,
    };
  },
  headphones: () => ({
    width: 520,
    flat: false,
    svg: `<defs>
      <linearGradient id="cup" x1="0" x2="1"><stop offset="0" stop-color="#101012"/><stop offset="0.4" stop-color="#46464c"/><stop offset="1" stop-color="#0b0b0c"/></linearGradient>
      <linearGradient id="slider" x1="0" x2="1"><stop offset="0" stop-color="#7c8087"/><stop offset="0.5" stop-color="#e3e5e8"/><stop offset="1" stop-color="#6c7077"/></linearGradient>
    </defs>
    <path d="M-215,-300 C-230,-620 230,-620 215,-300" fill="none" stroke="#17171a" stroke-width="44" stroke-linecap="round"/>
    <path d="M-180,-330 C-190,-560 190,-560 180,-330" fill="none" stroke="#2e2e33" stroke-width="30" stroke-linecap="round"/>
    <path d="M-120,-510 Q0,-560 120,-510" fill="none" stroke="#fff" stroke-width="6" opacity="0.2"/>
    <rect x="-232" y="-330" width="30" height="110" rx="8" fill="url(#slider)"/>
    <rect x="202" y="-330" width="30" height="110" rx="8" fill="url(#slider)"/>
    <ellipse cx="-205" cy="-140" rx="100" ry="142" fill="url(#cup)"/>
    <ellipse cx="205" cy="-140" rx="100" ry="142" fill="url(#cup)"/>
    <ellipse cx="-212" cy="-140" rx="72" ry="108" fill="#232327"/>
    <ellipse cx="212" cy="-140" rx="72" ry="108" fill="#232327"/>
    <circle cx="-212" cy="-140" r="30" fill="none" stroke="#b8bcc2" stroke-width="4"/>
    <circle cx="212" cy="-140" r="30" fill="none" stroke="#b8bcc2" stroke-width="4"/>
    <text x="0" y="-515" font-family="DejaVu Sans" font-size="18" font-weight="bold" fill="#d6d8db" text-anchor="middle" letter-spacing="5">SONORA</text>
    <ellipse cx="-240" cy="-200" rx="18" ry="50" fill="#fff" opacity="0.12"/>`,
  }),
  candle: () => ({
    width: 300,
    flat: false,
    svg: `<defs>
      <linearGradient id="jar" x1="0" x2="1"><stop offset="0" stop-color="#4a2a12"/><stop offset="0.35" stop-color="#9b5c28"/><stop offset="0.6" stop-color="#7d4519"/><stop offset="1" stop-color="#3b200c"/></linearGradient>
      <radialGradient id="flame" cx="0.5" cy="0.7" r="0.6"><stop offset="0" stop-color="#fffbe6"/><stop offset="0.5" stop-color="#ffc24a"/><stop offset="1" stop-color="#ff8a1e" stop-opacity="0"/></radialGradient>
      <radialGradient id="glow"><stop offset="0" stop-color="#ffd27a" stop-opacity="0.55"/><stop offset="1" stop-color="#ffd27a" stop-opacity="0"/></radialGradient>
    </defs>
    <circle cx="0" cy="-360" r="120" fill="url(#glow)"/>
    <rect x="-150" y="-330" width="300" height="330" rx="22" fill="url(#jar)"/>
    <ellipse cx="0" cy="-330" rx="150" ry="26" fill="#5a3315"/>
    <ellipse cx="0" cy="-322" rx="136" ry="21" fill="#efe4cc"/>
    <line x1="0" y1="-324" x2="2" y2="-352" stroke="#1b1410" stroke-width="5"/>
    <path d="M2,-440 C28,-400 26,-362 2,-350 C-22,-362 -24,-400 2,-440 Z" fill="url(#flame)"/>
    <rect x="-118" y="-230" width="236" height="130" fill="#cfae7f"/>
    <rect x="-118" y="-230" width="236" height="5" fill="#a9875a"/><rect x="-118" y="-105" width="236" height="5" fill="#a9875a"/>
    <text x="0" y="-178" font-family="DejaVu Serif" font-size="24" fill="#2f2414" text-anchor="middle" letter-spacing="2">CEDAR &amp; SAGE</text>
    <text x="0" y="-146" font-family="DejaVu Sans" font-size="12" fill="#4a3a22" text-anchor="middle" letter-spacing="2">SOY WAX CANDLE · 8 OZ</text>
    <text x="0" y="-124" font-family="DejaVu Sans" font-size="11" fill="#4a3a22" text-anchor="middle">WICK &amp; WOOL</text>
    <rect x="-128" y="-310" width="16" height="290" rx="8" fill="#fff" opacity="0.18"/>`,
  }),
};
