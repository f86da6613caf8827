import type { PresetName } from "./options";

/** Where the surface meets the wall, as a share of frame height, and where the light comes from. */
export interface SceneLayout {
  horizon: number;
  lightX: number;
  seed: number;
}

export interface PresetLook {
  /** Multipliers applied to the finished frame: the preset's colour grade. */
  grade: [number, number, number];
  vignette: number;
  reflection: number;
  shadowDarkness: number;
}

export const LOOKS: Record<PresetName, PresetLook> = {
  "minimal-studio": { grade: [1, 1, 1.01], vignette: 0.18, reflection: 0.14, shadowDarkness: 0.35 },
  "rustic-wood": { grade: [1.06, 1, 0.9], vignette: 0.4, reflection: 0, shadowDarkness: 0.55 },
  "marble-luxury": { grade: [0.99, 1, 1.03], vignette: 0.2, reflection: 0.2, shadowDarkness: 0.35 },
  "cozy-home": { grade: [1.05, 1, 0.92], vignette: 0.3, reflection: 0, shadowDarkness: 0.45 },
  "natural-outdoor": { grade: [1.02, 1.03, 0.97], vignette: 0.15, reflection: 0, shadowDarkness: 0.5 },
  festive: { grade: [1.06, 0.98, 0.92], vignette: 0.45, reflection: 0.08, shadowDarkness: 0.55 },
};

function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bokeh(width: number, height: number, maxY: number, colours: string[], count: number, seed: number): string {
  const random = makeRandom(seed);
  let out = "";
  for (let i = 0; i < count; i++) {
    const r = (0.02 + random() * 0.06) * width;
    out += `<circle cx="${random() * width}" cy="${random() * maxY}" r="${r}" fill="${colours[i % colours.length]}" fill-opacity="${0.15 + random() * 0.35}"/>`;
  }
  return out;
}

/**
 * The SVG for a preset's wall and surface, drawn at the given (reduced) size. Textures come from
 * feTurbulence: stretched noise for wood grain, thresholded low-frequency noise for marble veins,
 * crossed fine noise for linen. `tint` pulls the wall toward the merchant's colour.
 */
export function drawBackdrop(preset: PresetName, width: number, height: number, layout: SceneLayout, tint: [number, number, number] | null): string {
  const hy = layout.horizon * height;
  const lx = layout.lightX * width;
  const wallTint = tint ? `<rect width="${width}" height="${hy}" fill="rgb(${tint.join(",")})" fill-opacity="0.28"/>` : "";
  const glow = (colour: string, opacity: number) =>
    `<radialGradient id="glow" cx="${lx / width}" cy="${(hy * 0.6) / height}" r="0.7"><stop offset="0" stop-color="${colour}" stop-opacity="${opacity}"/><stop offset="1" stop-color="${colour}" stop-opacity="0"/></radialGradient>`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`;
  const wallEnd = `${wallTint}<rect width="100%" height="100%" fill="url(#glow)"/>`;
  switch (preset) {
    case "minimal-studio":
      // A seamless paper sweep: no hard horizon, just a darkening curve.
      return `${open}<defs><linearGradient id="sweep" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#d9d6d2"/><stop offset="${layout.horizon - 0.1}" stop-color="#ebe9e6"/><stop offset="${layout.horizon + 0.05}" stop-color="#f3f2f0"/><stop offset="1" stop-color="#dedbd7"/></linearGradient>${glow("#ffffff", 0.55)}</defs>
<rect width="100%" height="100%" fill="url(#sweep)"/>${wallEnd}</svg>`;
    case "rustic-wood":
      return `${open}<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2e221b"/><stop offset="1" stop-color="#54402f"/></linearGradient>
<linearGradient id="table" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7a4e2d"/><stop offset="1" stop-color="#9b6a42"/></linearGradient>
<filter id="grain" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.002 0.06" numOctaves="4" seed="${layout.seed}"/><feColorMatrix values="0 0 0 0 0.2  0 0 0 0 0.1  0 0 0 0 0.04  0 0 0 2.2 -0.75"/></filter>
<filter id="plaster"><feTurbulence type="fractalNoise" baseFrequency="0.02" numOctaves="3" seed="${layout.seed + 1}"/><feColorMatrix values="0 0 0 0 0.5 0 0 0 0 0.4 0 0 0 0 0.3 0 0 0 0.25 0"/></filter>
${glow("#f6c98a", 0.35)}</defs>
<rect width="100%" height="${hy}" fill="url(#wall)"/><rect width="100%" height="${hy}" filter="url(#plaster)"/>${wallEnd}
<rect y="${hy}" width="100%" height="${height - hy}" fill="url(#table)"/><rect y="${hy}" width="100%" height="${height - hy}" filter="url(#grain)"/>
<rect y="${hy + (height - hy) * 0.45}" width="100%" height="${Math.max(1, height * 0.004)}" fill="#3a2414" fill-opacity="0.6"/>
<rect y="${hy}" width="100%" height="${Math.max(1, height * 0.006)}" fill="#f3d2a2" fill-opacity="0.35"/></svg>`;
    case "marble-luxury":
      return `${open}<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#c9cdd1"/><stop offset="1" stop-color="#e4e6e8"/></linearGradient>
<filter id="veins" x="0" y="0" width="100%" height="100%"><feTurbulence type="turbulence" baseFrequency="0.006 0.012" numOctaves="4" seed="${layout.seed}"/>
<feColorMatrix type="luminanceToAlpha"/><feComponentTransfer><feFuncA type="table" tableValues="0.9 0.5 0.15 0 0 0 0 0"/></feComponentTransfer>
<feColorMatrix values="0 0 0 0 0.45  0 0 0 0 0.47  0 0 0 0 0.5  0 0 0 0.8 0"/></filter>
${glow("#ffffff", 0.6)}</defs>
<rect width="100%" height="${hy}" fill="url(#wall)"/>${wallEnd}
<rect y="${hy}" width="100%" height="${height - hy}" fill="#f1f0ee"/><rect y="${hy}" width="100%" height="${height - hy}" filter="url(#veins)"/>
<rect y="${hy}" width="100%" height="${Math.max(1, height * 0.005)}" fill="#ffffff" fill-opacity="0.7"/></svg>`;
    case "cozy-home":
      return `${open}<defs><linearGradient id="wall" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#cdb89c"/><stop offset="1" stop-color="#a88f72"/></linearGradient>
<filter id="linen" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.9 0.04" numOctaves="2" seed="${layout.seed}" result="a"/><feTurbulence type="fractalNoise" baseFrequency="0.04 0.9" numOctaves="2" seed="${layout.seed + 2}" result="b"/>
<feComposite in="a" in2="b" operator="arithmetic" k2="0.5" k3="0.5"/><feColorMatrix values="0 0 0 0 0.55 0 0 0 0 0.48 0 0 0 0 0.4 0 0 0 0.5 0"/></filter>
<filter id="blur"><feGaussianBlur stdDeviation="${width * 0.02}"/></filter>${glow("#ffe2b0", 0.5)}</defs>
<rect width="100%" height="${hy}" fill="url(#wall)"/><g filter="url(#blur)">${bokeh(width, height, hy, ["#fff1d6", "#ffd59a"], 9, layout.seed)}</g>${wallEnd}
<rect y="${hy}" width="100%" height="${height - hy}" fill="#e8dccb"/><rect y="${hy}" width="100%" height="${height - hy}" filter="url(#linen)"/></svg>`;
    case "natural-outdoor":
      return `${open}<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#b9d5e8"/><stop offset="0.6" stop-color="#a8c48e"/><stop offset="1" stop-color="#6f8f4e"/></linearGradient>
<filter id="leaves"><feGaussianBlur stdDeviation="${width * 0.025}"/></filter>
<filter id="stone" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.05" numOctaves="4" seed="${layout.seed}"/><feColorMatrix values="0 0 0 0 0.45 0 0 0 0 0.42 0 0 0 0 0.38 0 0 0 0.45 0"/></filter>
${glow("#fff6d8", 0.6)}</defs>
<rect width="100%" height="${hy}" fill="url(#sky)"/><g filter="url(#leaves)">${bokeh(width, height, hy, ["#4f7a35", "#7fa650", "#2f5524", "#dfe9c0"], 16, layout.seed)}</g>${wallEnd}
<rect y="${hy}" width="100%" height="${height - hy}" fill="#c8bca8"/><rect y="${hy}" width="100%" height="${height - hy}" filter="url(#stone)"/></svg>`;
    case "festive":
      return `${open}<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2a0709"/><stop offset="1" stop-color="#5c1118"/></linearGradient>
<filter id="blur"><feGaussianBlur stdDeviation="${width * 0.012}"/></filter>
<filter id="grain" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="0.004 0.08" numOctaves="3" seed="${layout.seed}"/><feColorMatrix values="0 0 0 0 0.12 0 0 0 0 0.05 0 0 0 0 0.03 0 0 0 1 -0.4"/></filter>
${glow("#ffcf7a", 0.3)}</defs>
<rect width="100%" height="${hy}" fill="url(#wall)"/><g filter="url(#blur)">${bokeh(width, height, hy, ["#ffd27a", "#ffb347", "#fff0c0"], 26, layout.seed)}</g>${wallEnd}
<rect y="${hy}" width="100%" height="${height - hy}" fill="#4a2418"/><rect y="${hy}" width="100%" height="${height - hy}" filter="url(#grain)"/></svg>`;
  }
}
