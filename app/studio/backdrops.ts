import type { PresetName } from "./options";

/**
 * Where the camera is: "table" (a tabletop in front of a wall), "floor" (a room at floor level, for
 * large products) or "top" (a surface seen from straight above: no wall, no horizon).
 */
export type Viewpoint = "table" | "floor" | "top";

/** Where the surface meets the wall, as a share of frame height, and where the light comes from. */
export interface SceneLayout {
  view: Viewpoint;
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

interface PresetScene {
  /** Defs and shapes of the wall over [0, hy). */
  wall: (width: number, hy: number, seed: number) => string;
  /** Defs and shapes of the surface over [y, height), `grain` > 1 for a surface seen bigger (a floor). */
  surface: (width: number, y: number, height: number, seed: number, grain: number, fromAbove: boolean) => string;
  /** The light's glow colour and strength. */
  glow: [string, number];
  /** A skirting board's colour where a floor meets the wall. */
  skirting: string;
}

// Each texture's filter is named after its shape so a scene can hold both wall and surface defs.
const SCENES: Record<PresetName, PresetScene> = {
  "minimal-studio": {
    wall: (w, hy) =>
      `<defs><linearGradient id="paper" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#d9d6d2"/><stop offset="1" stop-color="#ebe9e6"/></linearGradient></defs><rect width="${w}" height="${hy}" fill="url(#paper)"/>`,
    surface: (w, y, h, _seed, _grain, fromAbove) =>
      `<defs><linearGradient id="sweep" x1="0" y1="0" x2="${fromAbove ? 1 : 0}" y2="1"><stop offset="0" stop-color="${fromAbove ? "#eeece9" : "#ebe9e6"}"/><stop offset="0.3" stop-color="#f3f2f0"/><stop offset="1" stop-color="#dedbd7"/></linearGradient></defs><rect y="${y}" width="${w}" height="${h - y}" fill="url(#sweep)"/>`,
    glow: ["#ffffff", 0.55],
    skirting: "#e4e1dd",
  },
  "rustic-wood": {
    wall: (w, hy, seed) =>
      `<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2e221b"/><stop offset="1" stop-color="#54402f"/></linearGradient><filter id="plaster"><feTurbulence type="fractalNoise" baseFrequency="0.02" numOctaves="3" seed="${seed + 1}"/><feColorMatrix values="0 0 0 0 0.5 0 0 0 0 0.4 0 0 0 0 0.3 0 0 0 0.25 0"/></filter></defs><rect width="${w}" height="${hy}" fill="url(#wall)"/><rect width="${w}" height="${hy}" filter="url(#plaster)"/>`,
    surface: (w, y, h, seed, grain, fromAbove) => {
      // Planks: seen from above they run straight across the frame; in front, the grain runs away.
      const plank = (fromAbove ? 0.16 : 0.45) * (h - y) * grain;
      let seams = "";
      for (let sy = y + plank; sy < h; sy += plank)
        seams += `<rect y="${sy}" width="${w}" height="${Math.max(1, h * 0.004)}" fill="#3a2414" fill-opacity="0.6"/>`;
      return `<defs><linearGradient id="table" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7a4e2d"/><stop offset="1" stop-color="#9b6a42"/></linearGradient><filter id="grain" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${0.002 / grain} ${(fromAbove ? 0.03 : 0.06) / grain}" numOctaves="4" seed="${seed}"/><feColorMatrix values="0 0 0 0 0.2  0 0 0 0 0.1  0 0 0 0 0.04  0 0 0 2.2 -0.75"/></filter></defs>
<rect y="${y}" width="${w}" height="${h - y}" fill="url(#table)"/><rect y="${y}" width="${w}" height="${h - y}" filter="url(#grain)"/>${seams}${fromAbove ? "" : `<rect y="${y}" width="${w}" height="${Math.max(1, h * 0.006)}" fill="#f3d2a2" fill-opacity="0.35"/>`}`;
    },
    glow: ["#f6c98a", 0.35],
    skirting: "#24170f",
  },
  "marble-luxury": {
    wall: (w, hy) =>
      `<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#c9cdd1"/><stop offset="1" stop-color="#e4e6e8"/></linearGradient></defs><rect width="${w}" height="${hy}" fill="url(#wall)"/>`,
    surface: (w, y, h, seed, grain, fromAbove) =>
      `<defs><filter id="veins" x="0" y="0" width="100%" height="100%"><feTurbulence type="turbulence" baseFrequency="${(fromAbove ? 0.008 : 0.006) / grain} ${(fromAbove ? 0.008 : 0.012) / grain}" numOctaves="4" seed="${seed}"/>
<feColorMatrix type="luminanceToAlpha"/><feComponentTransfer><feFuncA type="table" tableValues="0.9 0.5 0.15 0 0 0 0 0"/></feComponentTransfer>
<feColorMatrix values="0 0 0 0 0.45  0 0 0 0 0.47  0 0 0 0 0.5  0 0 0 0.8 0"/></filter></defs>
<rect y="${y}" width="${w}" height="${h - y}" fill="#f1f0ee"/><rect y="${y}" width="${w}" height="${h - y}" filter="url(#veins)"/>${fromAbove ? "" : `<rect y="${y}" width="${w}" height="${Math.max(1, h * 0.005)}" fill="#ffffff" fill-opacity="0.7"/>`}`,
    glow: ["#ffffff", 0.6],
    skirting: "#f4f4f2",
  },
  "cozy-home": {
    wall: (w, hy, seed) =>
      `<defs><linearGradient id="wall" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#cdb89c"/><stop offset="1" stop-color="#a88f72"/></linearGradient><filter id="blur"><feGaussianBlur stdDeviation="${w * 0.02}"/></filter></defs><rect width="${w}" height="${hy}" fill="url(#wall)"/><g filter="url(#blur)">${bokeh(w, hy, hy, ["#fff1d6", "#ffd59a"], 9, seed)}</g>`,
    surface: (w, y, h, seed, grain) =>
      `<defs><filter id="linen" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${0.9 / grain} ${0.04 / grain}" numOctaves="2" seed="${seed}" result="a"/><feTurbulence type="fractalNoise" baseFrequency="${0.04 / grain} ${0.9 / grain}" numOctaves="2" seed="${seed + 2}" result="b"/>
<feComposite in="a" in2="b" operator="arithmetic" k2="0.5" k3="0.5"/><feColorMatrix values="0 0 0 0 0.55 0 0 0 0 0.48 0 0 0 0 0.4 0 0 0 0.5 0"/></filter></defs>
<rect y="${y}" width="${w}" height="${h - y}" fill="#e8dccb"/><rect y="${y}" width="${w}" height="${h - y}" filter="url(#linen)"/>`,
    glow: ["#ffe2b0", 0.5],
    skirting: "#efe6d8",
  },
  "natural-outdoor": {
    wall: (w, hy, seed) =>
      `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#b9d5e8"/><stop offset="0.6" stop-color="#a8c48e"/><stop offset="1" stop-color="#6f8f4e"/></linearGradient><filter id="leaves"><feGaussianBlur stdDeviation="${w * 0.025}"/></filter></defs><rect width="${w}" height="${hy}" fill="url(#sky)"/><g filter="url(#leaves)">${bokeh(w, hy, hy, ["#4f7a35", "#7fa650", "#2f5524", "#dfe9c0"], 16, seed)}</g>`,
    surface: (w, y, h, seed, grain) =>
      `<defs><filter id="stone" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${0.05 / grain}" numOctaves="4" seed="${seed}"/><feColorMatrix values="0 0 0 0 0.45 0 0 0 0 0.42 0 0 0 0 0.38 0 0 0 0.45 0"/></filter></defs>
<rect y="${y}" width="${w}" height="${h - y}" fill="#c8bca8"/><rect y="${y}" width="${w}" height="${h - y}" filter="url(#stone)"/>`,
    glow: ["#fff6d8", 0.6],
    skirting: "#8d8474",
  },
  festive: {
    wall: (w, hy, seed) =>
      `<defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2a0709"/><stop offset="1" stop-color="#5c1118"/></linearGradient><filter id="blur"><feGaussianBlur stdDeviation="${w * 0.012}"/></filter></defs><rect width="${w}" height="${hy}" fill="url(#wall)"/><g filter="url(#blur)">${bokeh(w, hy, hy, ["#ffd27a", "#ffb347", "#fff0c0"], 26, seed)}</g>`,
    surface: (w, y, h, seed, grain, fromAbove) => {
      const confetti = fromAbove
        ? `<g>${bokeh(w, h, h, ["#ffd27a", "#e8b04a", "#fff0c0"], 40, seed + 5).replace(/r="([0-9.]+)"/g, (_m, r: string) => `r="${Number(r) * 0.12}"`)}</g>`
        : "";
      return `<defs><filter id="grain" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${0.004 / grain} ${0.08 / grain}" numOctaves="3" seed="${seed}"/><feColorMatrix values="0 0 0 0 0.12 0 0 0 0 0.05 0 0 0 0 0.03 0 0 0 1 -0.4"/></filter></defs>
<rect y="${y}" width="${w}" height="${h - y}" fill="${fromAbove ? "#5a1a1e" : "#4a2418"}"/><rect y="${y}" width="${w}" height="${h - y}" filter="url(#grain)"/>${confetti}`;
    },
    glow: ["#ffcf7a", 0.3],
    skirting: "#1c0405",
  },
};

/**
 * The SVG for a preset's scene, drawn at the given (reduced) size, from the layout's viewpoint:
 * - "table": the wall down to the horizon, the tabletop below it;
 * - "floor": the same wall, a skirting board and a floor whose texture is drawn bigger (it is seen
 *   from standing height, metres away), with plank seams running to a vanishing point;
 * - "top": only the surface, seen from straight above, lit from the light's side.
 * Textures come from feTurbulence: stretched noise for wood grain, thresholded low-frequency noise
 * for marble veins, crossed fine noise for linen. `tint` pulls the wall (or the surface seen from
 * above) toward the merchant's colour.
 */
export function drawBackdrop(
  preset: PresetName,
  width: number,
  height: number,
  layout: SceneLayout,
  tint: [number, number, number] | null,
): string {
  const scene = SCENES[preset];
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`;
  const lx = layout.lightX * width;
  const [glowColour, glowStrength] = scene.glow;
  if (layout.view === "top") {
    const light = `<defs><radialGradient id="glow" cx="${layout.lightX}" cy="0.2" r="0.9"><stop offset="0" stop-color="${glowColour}" stop-opacity="${glowStrength * 0.7}"/><stop offset="1" stop-color="#000" stop-opacity="0.18"/></radialGradient></defs>`;
    const tinted = tint ? `<rect width="100%" height="100%" fill="rgb(${tint.join(",")})" fill-opacity="0.18"/>` : "";
    return `${open}${scene.surface(width, 0, height, layout.seed, 1, true)}${tinted}${light}<rect width="100%" height="100%" fill="url(#glow)"/></svg>`;
  }
  const hy = layout.horizon * height;
  const wallTint = tint ? `<rect width="${width}" height="${hy}" fill="rgb(${tint.join(",")})" fill-opacity="0.28"/>` : "";
  const glow = `<defs><radialGradient id="glow" cx="${lx / width}" cy="${(hy * 0.6) / height}" r="0.7"><stop offset="0" stop-color="${glowColour}" stop-opacity="${glowStrength}"/><stop offset="1" stop-color="${glowColour}" stop-opacity="0"/></radialGradient></defs>`;
  if (layout.view === "table") {
    return `${open}${glow}${scene.wall(width, hy, layout.seed)}${wallTint}<rect width="100%" height="100%" fill="url(#glow)"/>${scene.surface(width, hy, height, layout.seed, 1, false)}</svg>`;
  }
  const skirting = Math.max(2, height * 0.035);
  let seams = "";
  // Floor boards running away from the camera converge on a point on the horizon.
  for (let i = -6; i <= 6; i++) {
    const x = width / 2 + i * width * 0.22;
    seams += `<line x1="${width / 2 + i * width * 0.05}" y1="${hy + skirting}" x2="${x}" y2="${height}" stroke="#000" stroke-opacity="0.16" stroke-width="${Math.max(1, width * 0.003)}"/>`;
  }
  return `${open}${glow}${scene.wall(width, hy, layout.seed)}${wallTint}<rect width="100%" height="100%" fill="url(#glow)"/>${scene.surface(width, hy + skirting, height, layout.seed, 2.5, false)}${seams}
<rect y="${hy}" width="${width}" height="${skirting}" fill="${scene.skirting}"/><rect y="${hy + skirting - Math.max(1, height * 0.004)}" width="${width}" height="${Math.max(1, height * 0.004)}" fill="#000" fill-opacity="0.25"/></svg>`;
}
