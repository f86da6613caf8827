import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Link, ProgressBar, Select, Spinner, Text } from "@shopify/polaris";
import { render, useLocale, useT, type Message } from "~/i18n/index";
import type { Coverage } from "~/models/catalogue.server";

// The home page's catalogue card: coverage (products whose main image is a white-background image this
// app published), a button that starts a batch for the rest, and batches for a whole selection (all
// products, a collection, the products not yet covered). Coverage loads after the page, from
// /app/catalogue, since it reads the catalogue with a bulk operation.

type LoadAnswer = { coverage: Coverage; collections: { id: string; title: string }[] } | { errors: Record<string, Message> };
type StartAnswer =
  { ok: true; batchId: string | null; added: number; alreadyRunning: number; queueDelayed: boolean } | { errors: Record<string, Message> };

export function CatalogueCard() {
  const t = useT();
  const load = useFetcher<LoadAnswer>();
  const start = useFetcher<StartAnswer>();
  const [selection, setSelection] = useState("noncompliant");
  const [collectionId, setCollectionId] = useState("");
  const [mode, setMode] = useState("white");

  useEffect(() => {
    if (load.state === "idle" && !load.data) load.load("/app/catalogue");
  }, [load]);
  const answer = start.data;
  const locale = useLocale();
  const loadRefusal = load.data && "errors" in load.data ? Object.values(load.data.errors)[0] : undefined;
  const loaded = load.data && "coverage" in load.data ? load.data : null;
  const collections = loaded?.collections ?? [];
  // Until the merchant picks one, the first collection is the one shown (and sent).
  const chosenCollection = collectionId || collections[0]?.id || "";

  const submitting = start.state !== "idle";
  const startFor = (kind: string, chosenMode: string) =>
    start.submit({ selection: kind, mode: chosenMode, collectionId: chosenCollection }, { method: "post", action: "/app/catalogue" });

  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("catalogue.title")}
        </Text>
        {!load.data && (
          <InlineStack gap="200" blockAlign="center">
            <Spinner size="small" accessibilityLabel={t("catalogue.loading")} />
            <Text as="span" tone="subdued">
              {t("catalogue.loading")}
            </Text>
          </InlineStack>
        )}
        {loadRefusal && <Banner tone="warning" title={render(locale, loadRefusal)} />}
        {loaded && <CoverageSummary coverage={loaded.coverage} />}
        {loaded && loaded.coverage.missing > 0 && (
          <InlineStack>
            <Button
              variant="primary"
              loading={submitting && start.formData?.get("selection") === "noncompliant"}
              onClick={() => startFor("noncompliant", "white")}
            >
              {t("catalogue.startRest", { count: loaded.coverage.missing })}
            </Button>
          </InlineStack>
        )}
        {loaded && loaded.coverage.missing === 0 && loaded.coverage.total > 0 && (
          <Text as="p" tone="success">
            {t("catalogue.allDone")}
          </Text>
        )}
        {answer && <StartOutcome answer={answer} />}
        {loaded && (
          <BlockStack gap="300">
            <Select
              label={t("catalogue.selection.label")}
              options={[
                { label: t("catalogue.selection.all"), value: "all" },
                { label: t("catalogue.selection.collection"), value: "collection" },
                { label: t("catalogue.selection.noncompliant"), value: "noncompliant" },
              ]}
              value={selection}
              onChange={setSelection}
            />
            {selection === "collection" &&
              (collections.length > 0 ? (
                <Select
                  label={t("catalogue.collection")}
                  options={collections.map((c) => ({ label: c.title, value: c.id }))}
                  value={chosenCollection}
                  onChange={setCollectionId}
                />
              ) : (
                <Text as="p" tone="subdued">
                  {t("catalogue.noCollections")}
                </Text>
              ))}
            <Select
              label={t("catalogue.mode")}
              options={[
                { label: t("new.mode.white.label"), value: "white" },
                { label: t("new.mode.lifestyle.label"), value: "lifestyle" },
              ]}
              value={mode}
              onChange={setMode}
            />
            <InlineStack>
              <Button
                onClick={() => startFor(selection, mode)}
                disabled={selection === "collection" && !chosenCollection}
                loading={submitting && start.formData?.get("selection") === selection}
              >
                {t("catalogue.start")}
              </Button>
            </InlineStack>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

function CoverageSummary({ coverage }: { coverage: Coverage }) {
  const t = useT();
  const share = coverage.total ? Math.round((coverage.compliant / coverage.total) * 100) : 0;
  return (
    <BlockStack gap="200">
      <Text as="p" variant="bodyLg" fontWeight="semibold">
        {t("catalogue.coverage", { compliant: coverage.compliant, total: coverage.total })}
      </Text>
      <ProgressBar progress={share} tone="success" size="small" />
      <Text as="p">{t("catalogue.missing", { count: coverage.missing })}</Text>
      {coverage.noPhotos > 0 && (
        <Text as="p" tone="subdued">
          {t("catalogue.noPhotos", { count: coverage.noPhotos })}
        </Text>
      )}
      <Text as="p" variant="bodySm" tone="subdued">
        {t("catalogue.compliantHelp")}
      </Text>
    </BlockStack>
  );
}

function StartOutcome({ answer }: { answer: StartAnswer }) {
  const t = useT();
  const locale = useLocale();
  if ("errors" in answer) {
    // Every refusal is a message code, rendered in the merchant's language.
    return <Banner tone="critical" title={render(locale, Object.values(answer.errors)[0])} />;
  }
  if (!answer.batchId) return <Banner tone="info" title={t("catalogue.empty")} />;
  return (
    <Banner
      tone={answer.queueDelayed ? "warning" : answer.added > 0 ? "success" : "info"}
      title={answer.added > 0 ? t("catalogue.started", { count: answer.added }) : t("catalogue.nothingNew")}
    >
      <BlockStack gap="100">
        {answer.alreadyRunning > 0 && <Text as="p">{t("catalogue.alreadyRunning", { count: answer.alreadyRunning })}</Text>}
        {answer.queueDelayed && <Text as="p">{t("catalogue.queueDelayed")}</Text>}
        <Link url={`/app/batches/${answer.batchId}`}>{t("catalogue.viewBatch")}</Link>
      </BlockStack>
    </Banner>
  );
}
