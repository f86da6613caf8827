import type { SerializeFrom } from "@remix-run/node";
import type { loader } from "./route";

/** What the settings page's loader gives its sections. */
export type SettingsData = SerializeFrom<typeof loader>;

/** Each field's refusal as text in the merchant's language, by the field's form name. */
export type FieldMessages = Record<string, string>;
