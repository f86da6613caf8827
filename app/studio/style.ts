/**
 * How the merchant's free-text style nudges a local lifestyle render. Keywords (case-insensitive,
 * English, any of the listed spellings) and what they do:
 *
 * | keywords                                   | effect                                   |
 * |--------------------------------------------|------------------------------------------|
 * | warm, golden, sunset, autumn, cosy, cozy   | warmer white balance                     |
 * | cool, cold, winter, fresh, icy             | cooler white balance                     |
 * | dark, moody, dramatic, night, low-key      | darker exposure, stronger vignette       |
 * | bright, airy, light, clean, high-key       | brighter exposure, weaker vignette       |
 * | pastel, soft, muted, calm                  | less saturation                          |
 * | vibrant, bold, colourful, colorful, vivid  | more saturation                          |
 * | a colour name (red, pink, orange, yellow, gold, green, teal, blue, purple, beige, cream, grey, gray, black, white) | tints the backdrop toward that colour |
 */
export interface StyleNudge {
  /** Per-channel white-balance multipliers. */
  balance: [number, number, number];
  brightness: number;
  saturation: number;
  vignette: number;
  tint: [number, number, number] | null;
  matched: string[];
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [170, 40, 40],
  pink: [232, 160, 180],
  orange: [225, 130, 50],
  yellow: [235, 205, 90],
  gold: [200, 160, 70],
  green: [90, 140, 80],
  teal: [40, 130, 130],
  blue: [70, 110, 180],
  purple: [120, 80, 150],
  beige: [220, 200, 170],
  cream: [240, 228, 200],
  grey: [150, 150, 150],
  gray: [150, 150, 150],
  black: [30, 30, 30],
  white: [245, 245, 245],
};

const MOODS: { words: string[]; apply: (n: StyleNudge) => void }[] = [
  {
    words: ["warm", "golden", "sunset", "autumn", "cosy", "cozy"],
    apply: (n) => (n.balance = [n.balance[0] * 1.06, n.balance[1], n.balance[2] * 0.92]),
  },
  {
    words: ["cool", "cold", "winter", "fresh", "icy"],
    apply: (n) => (n.balance = [n.balance[0] * 0.94, n.balance[1], n.balance[2] * 1.06]),
  },
  { words: ["dark", "moody", "dramatic", "night", "low-key"], apply: (n) => ((n.brightness *= 0.82), (n.vignette += 0.2)) },
  { words: ["bright", "airy", "light", "clean", "high-key"], apply: (n) => ((n.brightness *= 1.08), (n.vignette -= 0.12)) },
  { words: ["pastel", "soft", "muted", "calm"], apply: (n) => (n.saturation *= 0.82) },
  { words: ["vibrant", "bold", "colourful", "colorful", "vivid"], apply: (n) => (n.saturation *= 1.18) },
];

export function readStyle(style: string): StyleNudge {
  const nudge: StyleNudge = { balance: [1, 1, 1], brightness: 1, saturation: 1, vignette: 0, tint: null, matched: [] };
  const words = new Set(
    style
      .toLowerCase()
      .split(/[^a-z-]+/)
      .filter(Boolean),
  );
  for (const mood of MOODS) {
    const hit = mood.words.find((w) => words.has(w));
    if (hit) {
      mood.apply(nudge);
      nudge.matched.push(hit);
    }
  }
  const colour = Object.keys(COLOURS).find((c) => words.has(c));
  if (colour) {
    nudge.tint = COLOURS[colour]!;
    nudge.matched.push(colour);
  }
  return nudge;
}
