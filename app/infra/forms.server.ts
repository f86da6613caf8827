import { json } from "@remix-run/node";
import { parseWithZod } from "@conform-to/zod/v4";
import type { z } from "zod";
import { isErrorCode, type ErrorCode, type FieldErrors, type Message, type MessageValues } from "~/i18n/index";

// The one way the app reads a form: conform's parseWithZod (as Epic Stack's note-editor does) coerces
// the strings of a FormData by the schema (numbers, checkboxes, empty fields, repeated names, nested
// names such as `whiteOptions.size`), and the schema says what is wrong as a message code. Every action
// answers `{ errors: { field: { code, values } } }`, which the page renders in the merchant's language.

/** A zod message that carries a message code and its values: `z.string().min(1, issue("ALT_TEXT_REQUIRED"))`. */
export function issue(code: ErrorCode, values?: MessageValues): string {
  return JSON.stringify(values ? { code, values } : { code });
}

function decode(text: string | undefined): Message | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Message>;
    if (typeof parsed.code === "string" && isErrorCode(parsed.code)) return { code: parsed.code, values: parsed.values };
  } catch {
    // zod's own wording, from a schema that does not say ours.
  }
  return undefined;
}

/**
 * Field errors from zod issues, one per field (the first). Schemas that speak zod's generic language
 * (the engine's option schemas) get their message from `byName`, by the field's last name segment.
 */
export function fieldErrors(issues: { path: PropertyKey[]; message: string }[], byName: Record<string, ErrorCode> = {}): FieldErrors {
  const errors: FieldErrors = {};
  for (const { path, message } of issues) {
    const field = path.map(String).join(".") || "form";
    const fallback = byName[String(path.at(-1))];
    errors[field] ??= decode(message) ?? { code: fallback ?? "INVALID_VALUE" };
  }
  return errors;
}

export function parseForm<Schema extends z.ZodType>(
  form: FormData,
  schema: Schema,
  byName?: Record<string, ErrorCode>,
): { data: z.output<Schema> } | { errors: FieldErrors } {
  const submission = parseWithZod(form, { schema });
  if (submission.status === "success") return { data: submission.value };
  const issues = Object.entries(submission.error ?? {}).flatMap(([name, messages]) =>
    (messages ?? []).slice(0, 1).map((message) => ({ path: name ? name.split(".") : [], message })),
  );
  return { errors: fieldErrors(issues, byName) };
}

/** The same errors for JSON bodies (the extensions' requests) and merged option objects. */
export function parseValue<Schema extends z.ZodType>(
  value: unknown,
  schema: Schema,
  byName?: Record<string, ErrorCode>,
): { data: z.output<Schema> } | { errors: FieldErrors } {
  const parsed = schema.safeParse(value);
  return parsed.success ? { data: parsed.data } : { errors: fieldErrors(parsed.error.issues, byName) };
}

export function refuse(errors: FieldErrors, status = 400) {
  return json({ errors }, { status });
}

/** The form as a whole refused with one message. */
export function formError(code: ErrorCode, values?: MessageValues): FieldErrors {
  return { form: values ? { code, values } : { code } };
}

/** The messages the engine's option schemas need, as the option forms (settings, new, regenerate) name them. */
export const OPTION_ERRORS: Record<string, ErrorCode> = {
  size: "SIZE_INVALID",
  ratio: "RATIO_INVALID",
  fill: "FILL_INVALID",
  format: "FORMAT_INVALID",
  preset: "PRESET_INVALID",
  count: "COUNT_INVALID",
  style: "STYLE_TOO_LONG",
};
