import { Banner, Text } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BatchData } from "./types";
import { useFormatTime } from "~/hooks/useFormatTime";

// The batch's jobs that wait for Google's Batch API (economy bulk): how many, when they were sent, and
// by when Google's answer is expected.
export function GoogleBatchBanner({ googleBatch }: { googleBatch: NonNullable<BatchData["batch"]["googleBatch"]> }) {
  const t = useT();
  const formatTime = useFormatTime();
  return (
    <Banner tone="info" title={t("job.status.awaiting_batch")}>
      <Text as="p">
        {t("batch.googleBatch.waiting", {
          count: googleBatch.count,
          submitted: formatTime(googleBatch.submittedAt),
          expected: formatTime(googleBatch.expectedBy),
        })}
      </Text>
    </Banner>
  );
}
