import { json } from "@remix-run/node";
import { refuse } from "~/infra/forms.server";
import { getStudioConfig } from "~/infra/studio-config.server";
import { parseSettingsForm, updateSettings } from "~/models/settings.server";
import { availableProviders } from "~/studio";

// The settings page's one intent: save the whole form. The form is read and checked by the settings
// model's schema; a refusal answers with message codes that the page renders next to each field.

export async function saveSettings({ shop, form }: { shop: string; form: FormData }) {
  const parsed = parseSettingsForm(form, availableProviders(getStudioConfig()));
  if ("errors" in parsed) return refuse(parsed.errors);
  await updateSettings(shop, parsed.data);
  return json({ saved: true as const });
}
