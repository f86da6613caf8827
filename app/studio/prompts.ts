import type { ImageAnalysis } from "./analyse";
import type { Composition } from "./lifestyle";
import { PRESETS, type LifestyleOptions, type WhiteOptions } from "./options";
import type { ProductContext } from "./types";

/** Bump when a template's wording changes, so stored outputs say which wording made them. */
export const PROMPT_VERSIONS = { white: "white-v1", lifestyle: "lifestyle-v1" } as const;

const COMPOSITION_WORDS: Record<Composition, string> = {
  "in-scene": "an in-scene shot: the product standing in its setting, eye level, with room around it",
  "close-up": "a close-up detail shot: the product filling most of the frame, shallow depth of field",
  "artistic-angle": "an artistic angle: the product off-centre by the rule of thirds, dramatic side light, long soft shadow",
};

function describeProduct(product: ProductContext, analysis: ImageAnalysis): string {
  const parts = [`"${product.title.trim()}"`];
  if (product.productType) parts.push(`a ${product.productType}`);
  if (product.vendor) parts.push(`by ${product.vendor}`);
  const facts: string[] = [];
  if (product.tags?.length) facts.push(`tags: ${product.tags.slice(0, 8).join(", ")}`);
  if (analysis.labels.length) facts.push(`seen in the photo: ${[...analysis.objects, ...analysis.labels].slice(0, 6).join(", ")}`);
  if (analysis.colours.length) facts.push(`main colours ${analysis.colours.slice(0, 3).join(", ")}`);
  if (product.description) facts.push(`description: ${product.description.replace(/\s+/g, " ").slice(0, 240)}`);
  return `${parts.join(", ")}${facts.length ? ` (${facts.join("; ")})` : ""}`;
}

const KEEP =
  "Keep the product exactly as in the reference photo: same shape, proportions, colours, materials, label text and logos. Do not add text, props on the product or watermarks.";

export function buildWhitePrompt(product: ProductContext, analysis: ImageAnalysis, options: WhiteOptions): string {
  return [
    `Professional e-commerce packshot of the product in the reference photo: ${describeProduct(product, analysis)}.`,
    options.topView ? "Shoot it from directly above (bird's-eye, flat-lay top view)." : "Keep the camera angle of the reference photo.",
    `Pure white background (#FFFFFF) everywhere, no gradient, no floor line, product centred and filling about ${Math.round(options.fill * 100)}% of the frame, soft even studio lighting${options.shadow ? ", a soft natural contact shadow under it" : ", no shadow"}.`,
    KEEP,
  ].join(" ");
}

export function buildLifestylePrompt(
  product: ProductContext,
  analysis: ImageAnalysis,
  options: LifestyleOptions,
  composition: Composition,
): string {
  const preset = PRESETS[options.preset];
  return [
    `Professional lifestyle product photograph of the product in the reference photo: ${describeProduct(product, analysis)}.`,
    `Setting: ${preset.label.toLowerCase()}: ${preset.description}`,
    `Composition: ${COMPOSITION_WORDS[composition]}.`,
    options.style.trim() ? `Style requested by the merchant: ${options.style.trim()}.` : "",
    "Photorealistic, natural light and shadows consistent with the scene, high-end commercial look.",
    KEEP,
  ]
    .filter(Boolean)
    .join(" ");
}
