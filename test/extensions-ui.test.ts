// @vitest-environment happy-dom
import { h, render } from "preact";
import { afterEach, describe, expect, test, vi } from "vitest";
import { GenerateAction } from "../extensions/shared/GenerateAction";
import { appLink } from "../extensions/shared/generate";

// The modal both admin actions show, rendered with Preact into a DOM. The s-* elements are Shopify's
// and only draw inside the admin; here they are plain elements whose attributes and events are checked.
// Texts come back as their keys (with the count), so the assertions do not depend on the wording.

type Props = Parameters<typeof GenerateAction>[0];

const translate = (key: string, options?: { count?: number }) => (options?.count === undefined ? key : `${key}(${options.count})`);

// Mounted once the modal has asked the app for the shop's default mode, as it does on opening.
async function mount(props: Partial<Props> & { answers: (request: Request) => Response }) {
  const requests: Request[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const request = new Request(new URL(input, "https://app.example"), init);
    requests.push(request.clone());
    return props.answers(request);
  });
  const close = vi.fn();
  const api = { i18n: { translate }, auth: { idToken: async () => "session-token" }, close } as unknown as Props["api"];
  const root = document.createElement("div");
  document.body.append(root);
  render(
    h(GenerateAction, {
      api,
      productIds: props.productIds ?? ["gid://shopify/Product/1"],
      summary: props.summary ?? "Ceramic mug",
      progressLink: props.progressLink ?? (({ jobs }) => appLink(jobs[0].url)),
    }),
    root,
  );
  const $ = (selector: string) => root.querySelector(selector);
  const click = (selector: string) => $(selector)!.dispatchEvent(new Event("click"));
  await vi.waitFor(() => expect(requests.map((request) => request.method)).toEqual(["GET"]));
  return { root, $, click, close, requests };
}

function shopDefault(mode: string) {
  return (request: Request) => (request.method === "GET" ? Response.json({ defaultMode: mode }) : Response.json({}));
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("the generate modal of the admin actions", () => {
  test("GIVEN a shop whose default is lifestyle, the lifestyle choice is preselected", async () => {
    const { $ } = await mount({ answers: shopDefault("lifestyle") });
    expect($("s-text")!.textContent).toBe("Ceramic mug");
    await vi.waitFor(() => expect($('s-choice[value="lifestyle"]')!.hasAttribute("selected")).toBe(true));
    expect($('s-choice[value="white"]')!.hasAttribute("selected")).toBe(false);
  });

  test("WHEN the merchant picks a mode and generates THEN one request goes out and the job is linked", async () => {
    const { $, click, requests } = await mount({
      answers: (request) =>
        request.method === "GET"
          ? Response.json({ defaultMode: "lifestyle" })
          : Response.json({ batchId: null, jobs: [{ id: "job1", productId: "gid://shopify/Product/1", url: "/app/jobs/job1" }] }),
    });
    await vi.waitFor(() => expect($('s-choice[value="lifestyle"]')!.hasAttribute("selected")).toBe(true));

    const choices = $("s-choice-list")! as HTMLElement & { values: string[] };
    choices.values = ["white"];
    choices.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect($('s-choice[value="white"]')!.hasAttribute("selected")).toBe(true));
    click('s-button[slot="primary-action"]');

    await vi.waitFor(() => expect($('s-banner[tone="success"]')).not.toBeNull());
    const post = requests.find((request) => request.method === "POST")!;
    expect(post.headers.get("authorization")).toBe("Bearer session-token");
    expect(await post.json()).toEqual({ productIds: ["gid://shopify/Product/1"], mode: "white" });
    expect($('s-banner[tone="success"]')!.getAttribute("heading")).toBe("queued.heading(1)");
    expect($("s-link")!.getAttribute("href")).toBe("app:app/jobs/job1");
    expect($("s-choice-list")).toBeNull();
  });

  test("a bulk selection is sent in one request and its batch page is linked", async () => {
    const productIds = ["gid://shopify/Product/1", "gid://shopify/Product/2", "gid://shopify/Product/3"];
    const { $, click, requests } = await mount({
      productIds,
      summary: translate("selected", { count: 3 }),
      progressLink: ({ batchId }) => appLink(`/app/batches/${batchId}`),
      answers: (request) =>
        request.method === "GET"
          ? Response.json({ defaultMode: "white" })
          : Response.json({
              batchId: "batch1",
              jobs: productIds.map((productId, i) => ({ id: `job${i}`, productId, url: `/app/jobs/job${i}` })),
            }),
    });
    click('s-button[slot="primary-action"]');

    await vi.waitFor(() => expect($('s-banner[tone="success"]')).not.toBeNull());
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
    expect($('s-banner[tone="success"]')!.getAttribute("heading")).toBe("queued.heading(3)");
    expect($("s-link")!.getAttribute("href")).toBe("app:app/batches/batch1");
  });

  test("the app's refusal is shown with its own message and the merchant can try again", async () => {
    const { $, click } = await mount({
      answers: (request) =>
        request.method === "GET"
          ? Response.json({ defaultMode: "white" })
          : Response.json({ errors: { productIds: "Choose a product." } }, { status: 400 }),
    });
    click('s-button[slot="primary-action"]');

    await vi.waitFor(() => expect($('s-banner[tone="critical"]')).not.toBeNull());
    expect($('s-banner[tone="critical"]')!.textContent).toContain("Choose a product.");
    expect($('s-button[slot="primary-action"]')!.textContent).toBe("generate");
    expect($('s-button[slot="primary-action"]')!.hasAttribute("disabled")).toBe(false);
  });

  test("an app that does not answer is said so, not shown as a refusal", async () => {
    const { $, click } = await mount({ answers: () => new Response("<html>Bad gateway</html>", { status: 502 }) });
    click('s-button[slot="primary-action"]');

    await vi.waitFor(() => expect($('s-banner[tone="critical"]')).not.toBeNull());
    expect($('s-banner[tone="critical"]')!.textContent).toBe("failed.unreachable");
  });

  test("Close closes the modal", async () => {
    const { click, close } = await mount({ answers: shopDefault("white") });
    click('s-button[slot="secondary-actions"]');
    expect(close).toHaveBeenCalledOnce();
  });
});
