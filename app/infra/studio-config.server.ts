import { env } from "./env.server";
import { PRESETS, studioConfigFromEnv, type PresetName, type StudioConfig } from "../studio";

let studioConfig: StudioConfig | undefined;

/** The providers' settings (keys, models, endpoints), from the environment validated at start. */
export function getStudioConfig(): StudioConfig {
  studioConfig ??= studioConfigFromEnv(env);
  return studioConfig;
}

/** The lifestyle presets as the pages offer them, each with its preview (scripts/preset-previews.ts). */
export function presetChoices() {
  return Object.entries(PRESETS).map(([value, preset]) => ({
    value: value as PresetName,
    description: preset.description,
    image: `/presets/${value}.webp`,
  }));
}
