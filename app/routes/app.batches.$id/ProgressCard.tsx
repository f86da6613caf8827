import { Form } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BatchData } from "./types";

// How far the whole batch has come: its progress bar, its jobs counted by outcome, and what can be done
// with the rest (retry the failed and cancelled ones, cancel the unfinished ones).
export function ProgressCard({
  batch,
  busy,
  submitting,
}: {
  batch: BatchData["batch"];
  /** Whether any of the batch's jobs is still moving. */
  busy: boolean;
  /** The intent being submitted, if any: its button shows a spinner. */
  submitting: FormDataEntryValue | null | undefined;
}) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd" id="batch-progress">
          {t("batch.progress", { finished: batch.counts.total - batch.counts.inProgress, total: batch.counts.total })}
        </Text>
        {/* Animated only while moving: a finished batch's bar is drawn full at once. */}
        <ProgressBar progress={batch.progress} tone={busy ? "primary" : "success"} animated={busy} ariaLabelledBy="batch-progress" />
        <InlineStack gap="400">
          <Text as="span" tone="success">
            {t("batch.count.done", { count: batch.counts.done })}
          </Text>
          <Text as="span">{t("batch.count.inProgress", { count: batch.counts.inProgress })}</Text>
          <Text as="span" tone={batch.counts.failed > 0 ? "critical" : undefined}>
            {t("batch.count.failed", { count: batch.counts.failed })}
          </Text>
          <Text as="span" tone="subdued">
            {t("batch.count.cancelled", { count: batch.counts.cancelled })}
          </Text>
        </InlineStack>
        {(batch.retryable > 0 || batch.cancellable > 0) && (
          <InlineStack gap="200">
            {batch.retryable > 0 && (
              <Form method="post">
                <input type="hidden" name="intent" value="retry" />
                <Button
                  submit
                  variant="primary"
                  loading={submitting === "retry"}
                  accessibilityLabel={t("batch.retryLabel", { count: batch.retryable })}
                >
                  {t("batch.retry")}
                </Button>
              </Form>
            )}
            {batch.cancellable > 0 && (
              <Form method="post">
                <input type="hidden" name="intent" value="cancel" />
                <Button
                  submit
                  tone="critical"
                  loading={submitting === "cancel"}
                  accessibilityLabel={t("batch.cancelLabel", { count: batch.cancellable })}
                >
                  {t("batch.cancel")}
                </Button>
              </Form>
            )}
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}
