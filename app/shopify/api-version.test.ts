import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "./api-version";

describe("the app's Admin API version", () => {
  it("is the version shopify.app.toml subscribes the webhooks with", () => {
    const toml = readFileSync(new URL("../../shopify.app.toml", import.meta.url), "utf8");
    const webhooks = toml.slice(toml.indexOf("[webhooks]"));
    expect(/^api_version\s*=\s*"([^"]+)"/m.exec(webhooks)?.[1]).toBe(ADMIN_API_VERSION);
  });
});
