import { env } from "./env.server";
import { appProviderGate } from "./provider-limits.server";
import { PRESETS, studioConfigFromEnv, type PresetName, type StudioConfig } from "../studio";

let studioConfig: StudioConfig | undefined;

/** The providers' settings (keys, models, endpoints, shared limits), from the environment validated at start. */
export function getStudioConfig(): StudioConfig {
  studioConfig ??= { ...studioConfigFromEnv(env), gate: appProviderGate(providerLimitSettings()) };
  return studioConfig;
}

export function providerLimitSettings() {
  return {
    redisUrl: env.REDIS_URL,
    prefix: env.QUEUE_PREFIX,
    leaseMs: env.PROVIDER_LEASE_SECONDS * 1000,
    limits: {
      gemini: { rpm: env.GEMINI_RPM, concurrency: env.GEMINI_CONCURRENCY },
      vertex: { rpm: env.VERTEX_RPM, concurrency: env.VERTEX_CONCURRENCY },
      "openai-compatible": { rpm: env.NANO_BANANA_RPM, concurrency: env.NANO_BANANA_CONCURRENCY },
    },
  };
}

/** The lifestyle presets as the pages offer them, each with its preview (scripts/preset-previews.ts). */
export function presetChoices() {
  return Object.entries(PRESETS).map(([value, preset]) => ({
    value: value as PresetName,
    description: preset.description,
    image: `/presets/${value}.webp`,
  }));
}
