import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { statusTone } from "~/components/status";
import { RouteError } from "~/components/RouteError";
import { hasMessage, useT, type MessageKey } from "~/i18n/index";
import { IntentButton } from "~/components/IntentButton";
import { usePolling } from "~/hooks/usePolling";
import { getJob } from "~/models/jobs.server";
import { STUCK_AFTER_MS } from "~/models/publishing.server";
import { BUSY_REVIEW_STATES, PUBLISHABLE_REVIEW_STATES, TERMINAL_STATES, type JobState } from "~/models/constants";
import { PENDING_STORAGE_KEY, signedFileUrl } from "~/infra/storage.server";
import { readForm } from "~/infra/request-body.server";
import { refuse } from "~/infra/forms.server";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { refusal } from "~/models/generation.server";
import { googleBatchWait } from "~/models/google-batches.server";
import { presetChoices } from "~/infra/studio-config.server";
import type { QualityReport as QualityReportData } from "~/studio/report";
import * as intents from "./actions.server";
import { QualityReport } from "./QualityReport";
import { RegeneratePanel, type JobOptions } from "./RegeneratePanel";

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
  const navigation = useNavigation();
  // Poll while anything is still moving (slowly while Google's batch, which takes hours, is all there is to wait for).
  usePolling(
    !TERMINAL_STATES.includes(job.status) || outputs.some((o) => BUSY_REVIEW_STATES.includes(o.reviewState)),
    job.googleBatch ? 30_000 : 1000,
  );

  const pending = outputs.filter((o) => o.reviewState === "pending" || o.reviewState === "failed");
  const submitting = navigation.state !== "idle";
  const original = sources.find((s) => s.used) ?? sources[0];
  // The failure's title in the merchant's language, when its code has one; else the recorded reason is the title.
  const failureTitle =
    job.errorCode && hasMessage(`job.failure.${job.errorCode}`) ? t(`job.failure.${job.errorCode}` as MessageKey) : undefined;

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
              <Banner tone={job.status === "failed" ? "critical" : "warning"} title={failureTitle ?? job.error}>
                <BlockStack gap="200">
                  {/* What happened and what to do about it, in the merchant's language, by the error's code;
                      then the exact reason the run recorded (with its specifics: a size, a model, a limit). */}
                  {job.errorCode && hasMessage(`job.hint.${job.errorCode}`) && (
                    <Text as="p">{t(`job.hint.${job.errorCode}` as MessageKey)}</Text>
                  )}
                  {failureTitle && (
                    <Text as="p" tone="subdued">
                      {t("job.reason", { reason: job.error })}
                    </Text>
                  )}
                  {job.status === "failed" && (
                    <IntentButton intent="retry" loading={submitting}>
                      {t("job.retry")}
                    </IntentButton>
                  )}
                </BlockStack>
              </Banner>
            )}
            {outputs.length > 0 && pending.length > 1 && (
              <InlineStack align="end">
                <IntentButton intent="publish" outputIds={pending.map((o) => o.id)} variant="primary">
                  {t("job.publishAll")}
                </IntentButton>
              </InlineStack>
            )}
            {outputs.map((output, index) => (
              <Card key={output.id}>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {t("job.result")} {index + 1}
                    </Text>
                    <Badge tone={output.reviewState === "published" ? "success" : output.reviewState === "failed" ? "critical" : undefined}>
                      {t(`job.review.${output.reviewState}` as MessageKey)}
                    </Badge>
                  </InlineStack>
                  {output.error && (
                    <Banner tone="critical" title={output.error}>
                      {output.errorCode && hasMessage(`job.hint.${output.errorCode}`) && (
                        <Text as="p">{t(`job.hint.${output.errorCode}` as MessageKey)}</Text>
                      )}
                    </Banner>
                  )}
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
                      <Button
                        onClick={() => setRegenerateFor(regenerateFor === output.id ? null : output.id)}
                        ariaExpanded={regenerateFor === output.id}
                        ariaControls={`regenerate-${output.id}`}
                      >
                        {t("job.regenerate.label")}
                      </Button>
                    )}
                  </InlineStack>
                  {regenerateFor === output.id && (
                    <RegeneratePanel
                      id={`regenerate-${output.id}`}
                      mode={job.mode}
                      options={job.options}
                      presets={presets}
                      busy={submitting}
                      onClose={() => setRegenerateFor(null)}
                    />
                  )}
                </BlockStack>
              </Card>
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

/** A time as the pages show it: UTC, to the minute. */
function formatTime(iso: string) {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
