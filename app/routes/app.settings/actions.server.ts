import { json } from "@remix-run/node";
import { getStudioConfig } from "~/infra/studio-config.server";
import { parseSettingsForm, updateSettings } from "~/models/settings.server";
import { availableProviders } from "~/studio";

/** The page's one intent: every setting validated together, saved only when all of them are valid. */
export async function save(shop: string, form: FormData) {
  const parsed = parseSettingsForm(form, availableProviders(getStudioConfig()));
  if ("errors" in parsed) return json({ errors: parsed.errors }, { status: 400 });
  await updateSettings(shop, parsed.data);
  return json({ saved: true as const });
}
