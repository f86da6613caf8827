import { env } from "./env.server";
import { studioConfigFromEnv, type StudioConfig } from "./studio";

let studioConfig: StudioConfig | undefined;

/** The providers' settings (keys, models, endpoints), from the environment validated at start. */
export function getStudioConfig(): StudioConfig {
  studioConfig ??= studioConfigFromEnv(env);
  return studioConfig;
}
