import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { SerializeFrom } from "@remix-run/node";
import { useT, type MessageKey } from "~/i18n/index";
import { IntentButton } from "~/components/IntentButton";
import { PUBLISHABLE_REVIEW_STATES, TERMINAL_STATES } from "~/models/constants";
import type { loader } from "./route";
import { FailureBanner } from "./FailureBanner";
import { QualityReport } from "./QualityReport";
import { RegeneratePanel } from "./RegeneratePanel";

type JobData = SerializeFrom<typeof loader>;

// One result of a job: its image beside the original, its review state and any failure, the quality
// report, and what can be done with it (publish, reject, remove from the product, download, regenerate).
export function OutputCard({
  output,
  index,
  original,
  job,
  presets,
  submitting,
  regenerating,
  onRegenerateToggle,
}: {
  output: JobData["outputs"][number];
  index: number;
  /** The photo the result was made from, shown beside it. */
  original: JobData["sources"][number] | undefined;
  job: JobData["job"];
  presets: JobData["presets"];
  submitting: boolean;
  /** Whether this result's "Regenerate with changes" panel is open (one at a time on the page). */
  regenerating: boolean;
  onRegenerateToggle: () => void;
}) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("job.result")} {index + 1}
          </Text>
          <Badge tone={output.reviewState === "published" ? "success" : output.reviewState === "failed" ? "critical" : undefined}>
            {t(`job.review.${output.reviewState}` as MessageKey)}
          </Badge>
        </InlineStack>
        {output.error && <FailureBanner tone="critical" code={output.errorCode} reason={output.error} />}
        {output.stuck && (
          <Banner tone="warning" title={t("job.publishStuck")}>
            <IntentButton intent="recheck" loading={submitting}>
              {t("job.recheck")}
            </IntentButton>
          </Banner>
        )}
        <InlineGrid columns={2} gap="300">
          <BlockStack gap="100">
            <Text as="span" tone="subdued">
              {t("job.original")}
            </Text>
            {original && (
              <img
                src={original.url}
                alt={t("job.original")}
                style={{ width: "100%", aspectRatio: "1", objectFit: "contain", background: "#f1f1f1", borderRadius: 8 }}
              />
            )}
          </BlockStack>
          <BlockStack gap="100">
            <Text as="span" tone="subdued">
              {t("job.result")} · {output.width}×{output.height} {output.format.toUpperCase()}
            </Text>
            <img
              src={output.url}
              alt={`${t("job.result")} ${index + 1}`}
              data-testid="output-image"
              style={{
                width: "100%",
                aspectRatio: "1",
                objectFit: "contain",
                background: "#f1f1f1",
                borderRadius: 8,
                border: "1px solid #e3e3e3",
              }}
            />
          </BlockStack>
        </InlineGrid>
        <QualityReport report={output.report} mode={job.mode} />
        <InlineStack gap="200">
          {PUBLISHABLE_REVIEW_STATES.includes(output.reviewState) && (
            <IntentButton intent="publish" outputIds={[output.id]} variant="primary">
              {t("job.publish")}
            </IntentButton>
          )}
          {output.reviewState === "pending" && (
            <IntentButton intent="reject" outputIds={[output.id]}>
              {t("job.reject")}
            </IntentButton>
          )}
          {output.reviewState === "published" && (
            <IntentButton intent="restore" outputIds={[output.id]} tone="critical">
              {t("job.restore")}
            </IntentButton>
          )}
          <Button url={output.downloadUrl} target="_blank">
            {t("job.download")}
          </Button>
          {TERMINAL_STATES.includes(job.status) && (
            <Button onClick={onRegenerateToggle} ariaExpanded={regenerating} ariaControls={`regenerate-${output.id}`}>
              {t("job.regenerate.label")}
            </Button>
          )}
        </InlineStack>
        {regenerating && (
          <RegeneratePanel
            id={`regenerate-${output.id}`}
            mode={job.mode}
            options={job.options}
            presets={presets}
            busy={submitting}
            onClose={onRegenerateToggle}
          />
        )}
      </BlockStack>
    </Card>
  );
}
