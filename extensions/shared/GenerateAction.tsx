/** @jsxImportSource preact */
import type { ActionExtensionApi } from "@shopify/ui-extensions/admin";
// The s-* elements of admin action extensions, for type-checking this file outside its extension too.
import type {} from "@shopify/ui-extensions/admin.product-details.action.render";
import { useEffect, useState } from "preact/hooks";
import { MODES, fetchDefaultMode, requestGeneration, type GenerateOutcome, type Mode } from "./generate";

// The modal both action extensions show: what is selected, the mode (preset to the shop's default),
// Generate, then either where to follow the new jobs in the app or why nothing was queued.
// Its texts come from the calling extension's locales.

type Queued = Extract<GenerateOutcome, { kind: "queued" }>;
type Status = { kind: "editing" } | { kind: "sending" } | GenerateOutcome;

interface Props {
  // i18n, auth and close are the same for every action target.
  api: Pick<ActionExtensionApi<"admin.product-details.action.render">, "i18n" | "auth" | "close">;
  productIds: string[];
  // What the action applies to: the product's title, or how many are selected. Hidden when empty.
  summary: string;
  // The app page to follow the queued jobs on, as an `app:` link.
  progressLink: (queued: Queued) => string | undefined;
}

export function GenerateAction({ api: { i18n, auth, close }, productIds, summary, progressLink }: Props) {
  const [mode, setMode] = useState<Mode>();
  const [status, setStatus] = useState<Status>({ kind: "editing" });

  useEffect(() => {
    // Without the shop's default the mode stays unset, and the app applies its default.
    fetchDefaultMode(auth)
      .then((defaultMode) => setMode((current) => current ?? defaultMode))
      .catch(() => undefined);
  }, [auth]);

  // Whatever goes wrong, the modal leaves "sending" and says so.
  const generate = () => {
    setStatus({ kind: "sending" });
    requestGeneration(auth, productIds, mode, i18n.translate("locale"))
      .then(setStatus)
      .catch(() => setStatus({ kind: "unreachable" }));
  };

  const sending = status.kind === "sending";
  const queued = status.kind === "queued" ? status : undefined;
  const link = queued && progressLink(queued);
  const modeLabels: Record<Mode, string> = {
    white: i18n.translate("mode.white"),
    lifestyle: i18n.translate("mode.lifestyle"),
  };

  return (
    <s-admin-action heading={i18n.translate("heading")}>
      <s-stack direction="block" gap="base">
        {summary && <s-text type="strong">{summary}</s-text>}
        {queued ? (
          <s-banner tone="success" heading={i18n.translate("queued.heading", { count: queued.jobs.length })}>
            <s-paragraph>
              {i18n.translate("queued.body")} {link && <s-link href={link}>{i18n.translate("queued.link")}</s-link>}
            </s-paragraph>
          </s-banner>
        ) : (
          <s-choice-list
            label={i18n.translate("mode.label")}
            name="mode"
            disabled={sending}
            onChange={(event) => {
              const [value] = event.currentTarget.values ?? [];
              if (MODES.includes(value as Mode)) setMode(value as Mode);
            }}
          >
            {MODES.map((choice) => (
              <s-choice key={choice} value={choice} selected={choice === mode}>
                {modeLabels[choice]}
              </s-choice>
            ))}
          </s-choice-list>
        )}
        {status.kind === "rejected" && (
          <s-banner tone="critical" heading={i18n.translate("failed.heading")}>
            {status.messages.map((message) => (
              <s-paragraph key={message}>{message}</s-paragraph>
            ))}
          </s-banner>
        )}
        {status.kind === "unreachable" && (
          <s-banner tone="critical" heading={i18n.translate("failed.heading")}>
            <s-paragraph>{i18n.translate("failed.unreachable")}</s-paragraph>
          </s-banner>
        )}
      </s-stack>
      {queued ? (
        <s-button slot="primary-action" variant="primary" onClick={close}>
          {i18n.translate("done")}
        </s-button>
      ) : (
        <s-button
          slot="primary-action"
          variant="primary"
          loading={sending}
          disabled={productIds.length === 0 || sending}
          onClick={generate}
        >
          {i18n.translate("generate")}
        </s-button>
      )}
      <s-button slot="secondary-actions" onClick={close}>
        {i18n.translate("close")}
      </s-button>
    </s-admin-action>
  );
}
