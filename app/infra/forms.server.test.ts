import { describe, expect, test } from "vitest";
import { z } from "zod";
import { render } from "~/i18n/index";
import { parseSettingsForm } from "~/models/settings.server";
import { fieldErrors, issue, OPTION_ERRORS, parseForm } from "~/infra/forms.server";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

const settings = {
  defaultMode: "white",
  provider: "",
  publishMode: "review",
  mediaPosition: "append",
  altTextTemplate: "{title} – {mode}",
  monthlyCap: "",
  retentionDays: "90",
  "whiteOptions.size": "2048",
  "whiteOptions.ratio": "1:1",
  "whiteOptions.fill": "85",
  "whiteOptions.format": "jpeg",
  "lifestyleOptions.preset": "minimal-studio",
  "lifestyleOptions.count": "3",
  "lifestyleOptions.ratio": "4:5",
  "lifestyleOptions.size": "2048",
  "lifestyleOptions.format": "jpeg",
};

describe("reading a form", () => {
  test("coerces the settings form by its schema: numbers, percent, an empty cap and an unticked box", () => {
    const parsed = parseSettingsForm(form(settings), ["local"]);
    expect(parsed).toEqual({
      data: expect.objectContaining({
        provider: null,
        monthlyCap: null,
        retentionDays: 90,
        whiteOptions: { size: 2048, ratio: "1:1", fill: 0.85, shadow: false, format: "jpeg", topView: false },
        lifestyleOptions: expect.objectContaining({ count: 3, size: 2048 }),
      }),
    });
    const ticked = parseSettingsForm(form({ ...settings, "whiteOptions.shadow": "on", monthlyCap: "12" }), ["local"]);
    expect(ticked).toMatchObject({ data: { monthlyCap: 12, whiteOptions: { shadow: true } } });
  });

  test("answers codes that a Traditional Chinese merchant reads in Traditional Chinese", () => {
    const parsed = parseSettingsForm(form({ ...settings, monthlyCap: "-1", "whiteOptions.fill": "60", provider: "gemini" }), ["local"]);
    if (!("errors" in parsed)) throw new Error("the form was accepted");
    expect(parsed.errors).toEqual({
      monthlyCap: { code: "CAP_INVALID" },
      "whiteOptions.fill": { code: "FILL_INVALID" },
      provider: { code: "PROVIDER_NOT_CONFIGURED", values: { provider: "gemini" } },
    });
    expect(render("zh-TW", parsed.errors.monthlyCap)).toBe("請輸入圖片張數的整數（0 或以上），或留空表示不設上限。");
    expect(render("zh-TW", parsed.errors.provider)).toBe("此伺服器未設定 gemini 服務。");
    expect(render("en", parsed.errors.provider)).toBe("The gemini provider is not configured on this server.");
  });

  test("keeps a message's values, and gives a schema's own wording a generic message or the option's", () => {
    const schema = z.object({
      name: z.string().max(3, issue("FORM_FIELD_TOO_LONG", { name: "name" })),
      size: z.number(),
      other: z.number(),
    });
    expect(parseForm(form({ name: "abcdef", size: "x", other: "y" }), schema, OPTION_ERRORS)).toEqual({
      errors: {
        name: { code: "FORM_FIELD_TOO_LONG", values: { name: "name" } },
        size: { code: "SIZE_INVALID" },
        other: { code: "INVALID_VALUE" },
      },
    });
    expect(fieldErrors([{ path: [], message: issue("QUEUE_UNAVAILABLE") }])).toEqual({ form: { code: "QUEUE_UNAVAILABLE" } });
  });
});
