import { Banner } from "@shopify/polaris";
import { render, useLocale, type FieldErrors } from "~/i18n/index";

// How every form shows what its action refused: the action answers `{ errors: { field: { code, values } } }`
// (app/infra/forms.server.ts), each field shows its own message through Polaris's `error`, and the banner
// lists the rest. The messages are rendered here, in the merchant's language.

/** The action's field errors as text in the merchant's language, by field name ("form" for the whole form). */
export function useFormErrors(actionData: unknown): Record<string, string> {
  const locale = useLocale();
  const errors = actionData && typeof actionData === "object" && "errors" in actionData ? (actionData.errors as FieldErrors) : {};
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, render(locale, message)]));
}

/** A critical banner titled `title`, listing `errors` (nothing when there are none to list and `always` is unset). */
export function FormErrors({ title, errors, always = false }: { title: string; errors: Record<string, string>; always?: boolean }) {
  const entries = Object.entries(errors);
  if (entries.length === 0 && !always) return null;
  return (
    <Banner tone="critical" title={title}>
      {entries.length > 0 && (
        <ul>
          {entries.map(([field, message]) => (
            <li key={field}>{message}</li>
          ))}
        </ul>
      )}
    </Banner>
  );
}
