import { render, type FieldErrors } from "~/i18n/index";

/** An action's `{ errors }` as an English-speaking merchant reads them on the page. */
export function english(errors: FieldErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, render("en", message)]));
}
