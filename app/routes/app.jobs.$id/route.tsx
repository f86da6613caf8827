import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { statusTone } from "~/components/status";
import { RouteError } from "~/components/RouteError";
import { useT, type MessageKey } from "~/i18n/index";
import { IntentButton } from "~/components/IntentButton";
import { usePolling } from "~/hooks/usePolling";
import { getJob } from "~/models/jobs.server";
import { STUCK_AFTER_MS } from "~/models/publishing.server";
import { BUSY_REVIEW_STATES, TERMINAL_STATES, type JobState } from "~/models/constants";
import { PENDING_STORAGE_KEY, signedFileUrl } from "~/infra/storage.server";
import { readForm } from "~/infra/request-body.server";
import { refuse } from "~/infra/forms.server";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { refusal } from "~/models/generation.server";
import { googleBatchWait } from "~/models/google-batches.server";
import { presetChoices } from "~/infra/studio-config.server";
import type { QualityReport as QualityReportData } from "~/studio/report";
import * as intents from "./actions.server";
import type { JobOptions } from "./RegeneratePanel";
import { FailureBanner } from "./FailureBanner";
import { OutputCard } from "./OutputCard";
import { useFormatTime } from "~/hooks/useFormatTime";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const job = await getJob(session.shop, params.id ?? "");
  if (!job) throw new Response("Job not found", { status: 404 });
  return {
    job: {
      id: job.id,
      productId: job.productId,
      productTitle: job.productTitle,
      batchId: job.batchId,
      mode: job.mode,
      provider: job.provider,
      options: JSON.parse(job.options) as JobOptions,
      status: job.status as JobState,
      progress: job.progress,
      error: job.error,
      errorCode: job.errorCode,
      createdAt: job.createdAt.toISOString(),
      googleBatch: googleBatchWait(job),
    },
    sources: job.sources.map((s) => ({
      id: s.id,
      used: s.used,
      url: s.storageKey ? signedFileUrl(s.storageKey) : (s.url ?? ""),
      thumbnailUrl: s.storageKey ? signedFileUrl(s.storageKey, { thumbnail: true }) : cdnThumbnail(s.url ?? ""),
    })),
    presets: presetChoices(),
    // An output whose file is still being written has no image yet: it appears on the next poll.
    outputs: job.outputs
      .filter((o) => o.storageKey !== PENDING_STORAGE_KEY)
      .map((o) => ({
        id: o.id,
        url: signedFileUrl(o.storageKey),
        downloadUrl: signedFileUrl(o.storageKey, { download: true }),
        width: o.width,
        height: o.height,
        format: o.format,
        reviewState: o.reviewState,
        // Publishing or removing for longer than a queued job takes to start: the page offers to check on it.
        stuck: BUSY_REVIEW_STATES.includes(o.reviewState) && Date.now() - o.updatedAt.getTime() > STUCK_AFTER_MS,
        error: o.error,
        errorCode: o.errorCode,
        // Reports made by earlier versions of the engine may lack fields.
        report: JSON.parse(o.report) as Partial<QualityReportData>,
        prompt: o.prompt,
      })),
  };
}

/** Shopify's CDN resizes on request: the list of photos gets small copies of the product's own. */
function cdnThumbnail(url: string): string {
  if (!url) return url;
  const thumbnail = new URL(url);
  thumbnail.searchParams.set("width", "256");
  thumbnail.searchParams.set("height", "256");
  return thumbnail.toString();
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, redirect } = await authenticate.admin(request);
  const shop = session.shop;
  const id = params.id ?? "";
  const form = await readForm(request);
  const job = await getJob(shop, id);
  if (!job) throw new Response("Job not found", { status: 404 });
  const context = { shop, id, form, redirect };
  try {
    switch (form.get("intent")) {
      case "publish":
        return await intents.publish(context);
      case "restore":
        return await intents.restore(context);
      case "reject":
        return await intents.reject(context);
      case "recheck":
        return await intents.recheck(context);
      case "retry":
        return await intents.retry(context);
      case "cancel":
        return await intents.cancel(context);
      case "regenerate":
        return await intents.regenerate(context);
      default:
        return refuse({ intent: { code: "UNKNOWN_ACTION" } });
    }
  } catch (error) {
    const { errors, status } = refusal(error);
    return refuse(errors, status);
  }
}

export default function JobPage() {
  const { job, sources, outputs, presets } = useLoaderData<typeof loader>();
  const errors = useFormErrors(useActionData<typeof action>());
  const [regenerateFor, setRegenerateFor] = useState<string | null>(null);
  const t = useT();
  const formatTime = useFormatTime();
  const navigation = useNavigation();
  // Poll while anything is still moving (slowly while Google's batch, which takes hours, is all there is to wait for).
  usePolling(
    !TERMINAL_STATES.includes(job.status) || outputs.some((o) => BUSY_REVIEW_STATES.includes(o.reviewState)),
    job.googleBatch ? 30_000 : 1000,
  );

  const pending = outputs.filter((o) => o.reviewState === "pending" || o.reviewState === "failed");
  const submitting = navigation.state !== "idle";
  const original = sources.find((s) => s.used) ?? sources[0];

  return (
    <Page
      title={job.productTitle || t("job.title")}
      subtitle={t(job.mode === "white" ? "new.mode.white.label" : "new.mode.lifestyle.label")}
      titleMetadata={<Badge tone={statusTone(job.status)}>{t(`job.status.${job.status}` as MessageKey)}</Badge>}
      backAction={job.batchId ? { content: t("batch.back"), url: `/app/batches/${job.batchId}` } : { content: t("nav.home"), url: "/app" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {!TERMINAL_STATES.includes(job.status) && (
              <Card>
                <BlockStack gap="200">
                  <Text as="p" variant="headingSm" id="job-progress">
                    {t(`job.status.${job.status}` as MessageKey)} · {job.progress}%
                  </Text>
                  <ProgressBar progress={job.progress} tone="primary" ariaLabelledBy="job-progress" />
                  {job.googleBatch && (
                    <Text as="p" tone="subdued">
                      {t("job.googleBatch.waiting", {
                        submitted: formatTime(job.googleBatch.submittedAt),
                        expected: formatTime(job.googleBatch.expectedBy),
                      })}
                    </Text>
                  )}
                  <IntentButton intent="cancel" variant="plain" tone="critical">
                    {t("job.cancel")}
                  </IntentButton>
                </BlockStack>
              </Card>
            )}
            <FormErrors title={t("job.actionFailed")} errors={errors} />
            {job.error && (
              <FailureBanner tone={job.status === "failed" ? "critical" : "warning"} code={job.errorCode} reason={job.error}>
                {job.status === "failed" && (
                  <IntentButton intent="retry" loading={submitting}>
                    {t("job.retry")}
                  </IntentButton>
                )}
              </FailureBanner>
            )}
            {outputs.length > 0 && pending.length > 1 && (
              <InlineStack align="end">
                <IntentButton intent="publish" outputIds={pending.map((o) => o.id)} variant="primary">
                  {t("job.publishAll")}
                </IntentButton>
              </InlineStack>
            )}
            {outputs.map((output, index) => (
              <OutputCard
                key={output.id}
                output={output}
                index={index}
                original={original}
                job={job}
                presets={presets}
                submitting={submitting}
                regenerating={regenerateFor === output.id}
                onRegenerateToggle={() => setRegenerateFor(regenerateFor === output.id ? null : output.id)}
              />
            ))}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("new.photos")}
              </Text>
              <InlineGrid columns={3} gap="200">
                {sources.map((source, i) => (
                  <Box key={source.id} opacity={source.used ? "1" : "0.4"}>
                    <img
                      src={source.thumbnailUrl}
                      alt={`${t("job.original")} ${i + 1}`}
                      style={{ width: "100%", aspectRatio: "1", objectFit: "cover", borderRadius: 6 }}
                    />
                  </Box>
                ))}
              </InlineGrid>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError notFound="job.notFound" />;
}
