import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  RangeSlider,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { statusTone } from "~/components/status";
import { googleBatchWait } from "~/models/google-batches.server";
import { RouteError } from "~/components/RouteError";
import { hasMessage, useT, type MessageKey } from "~/i18n/index";
import { cancelJob, getJob, retryJob } from "~/models/jobs.server";
import { reconcilePublishing, rejectOutputs, requestPublish, requestRestore, STUCK_AFTER_MS } from "~/models/publishing.server";
import { BUSY_REVIEW_STATES, PUBLISHABLE_REVIEW_STATES, TERMINAL_STATES, type JobState } from "~/models/constants";
import { PENDING_STORAGE_KEY, signedFileUrl } from "~/infra/storage.server";
import { readForm } from "~/infra/request-body.server";
import { refuse } from "~/infra/forms.server";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { refusal, regenerateJob } from "~/models/generation.server";
import { presetChoices } from "~/infra/studio-config.server";
import { PresetPicker, type PresetChoice } from "~/components/PresetPicker";
import { BORDER_SHARE, holdReasons, type QualityReport as QualityReportData } from "~/studio/report";

type Report = Partial<QualityReportData> & { notes?: string[] };

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
      options: JSON.parse(job.options) as Record<string, unknown>,
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
        report: JSON.parse(o.report) as Report,
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
  const intent = String(form.get("intent") ?? "");
  const outputIds = form.getAll("outputId").map(String);
  const job = await getJob(shop, id);
  if (!job) throw new Response("Job not found", { status: 404 });
  try {
    switch (intent) {
      case "publish":
        return { ok: (await requestPublish(shop, id, outputIds)) > 0 };
      case "restore":
        return { ok: (await requestRestore(shop, id, outputIds)) > 0 };
      case "reject":
        return { ok: (await rejectOutputs(shop, id, outputIds)) > 0 };
      case "recheck":
        await reconcilePublishing({ shop, jobId: id });
        return { ok: true };
      case "retry":
        return { ok: Boolean(await retryJob(shop, id)) };
      case "cancel":
        return { ok: await cancelJob(shop, id) };
      case "regenerate": {
        let changes: unknown;
        try {
          changes = JSON.parse(String(form.get("options") ?? "{}"));
        } catch {
          return refuse({ options: { code: "OPTIONS_NOT_JSON" } });
        }
        const result = await regenerateJob(shop, id, changes);
        if ("errors" in result) return refuse(result.errors, result.status);
        return redirect(`/app/jobs/${result.job.id}`);
      }
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
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy = !TERMINAL_STATES.includes(job.status) || outputs.some((o) => BUSY_REVIEW_STATES.includes(o.reviewState));

  // Live progress without a manual reload: poll while anything is still moving (slowly while Google's
  // batch, which takes hours, is all there is to wait for).
  const pollMs = job.googleBatch ? 30_000 : 1000;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, pollMs);
    return () => clearInterval(timer);
  }, [busy, revalidator, pollMs]);

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
                  <Form method="post">
                    <input type="hidden" name="intent" value="cancel" />
                    <Button submit variant="plain" tone="critical">
                      {t("job.cancel")}
                    </Button>
                  </Form>
                </BlockStack>
              </Card>
            )}
            <FormErrors title={t("job.actionFailed")} errors={errors} />
            {job.error && (
              <Banner tone={job.status === "failed" ? "critical" : "warning"} title={job.error}>
                <BlockStack gap="200">
                  {/* What the merchant can do about it, in their language; the title is the exact reason. */}
                  {job.errorCode && hasMessage(`job.hint.${job.errorCode}`) && (
                    <Text as="p">{t(`job.hint.${job.errorCode}` as MessageKey)}</Text>
                  )}
                  {job.status === "failed" && (
                    <Form method="post">
                      <input type="hidden" name="intent" value="retry" />
                      <Button submit loading={submitting}>
                        {t("job.retry")}
                      </Button>
                    </Form>
                  )}
                </BlockStack>
              </Banner>
            )}
            {outputs.length > 0 && pending.length > 1 && (
              <InlineStack align="end">
                <Form method="post">
                  <input type="hidden" name="intent" value="publish" />
                  {pending.map((o) => (
                    <input key={o.id} type="hidden" name="outputId" value={o.id} />
                  ))}
                  <Button submit variant="primary">
                    {t("job.publishAll")}
                  </Button>
                </Form>
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
                      <Form method="post">
                        <input type="hidden" name="intent" value="recheck" />
                        <Button submit loading={submitting}>
                          {t("job.recheck")}
                        </Button>
                      </Form>
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
                      <Form method="post">
                        <input type="hidden" name="intent" value="publish" />
                        <input type="hidden" name="outputId" value={output.id} />
                        <Button submit variant="primary">
                          {t("job.publish")}
                        </Button>
                      </Form>
                    )}
                    {output.reviewState === "pending" && (
                      <Form method="post">
                        <input type="hidden" name="intent" value="reject" />
                        <input type="hidden" name="outputId" value={output.id} />
                        <Button submit>{t("job.reject")}</Button>
                      </Form>
                    )}
                    {output.reviewState === "published" && (
                      <Form method="post">
                        <input type="hidden" name="intent" value="restore" />
                        <input type="hidden" name="outputId" value={output.id} />
                        <Button submit tone="critical">
                          {t("job.restore")}
                        </Button>
                      </Form>
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

const EDGE_WORDS = {
  top: "job.report.edge.top",
  right: "job.report.edge.right",
  bottom: "job.report.edge.bottom",
  left: "job.report.edge.left",
} as const;

function QualityReport({ report, mode }: { report: Report; mode: string }) {
  const t = useT();
  const lines: { text: string; tone: "success" | "critical" | "subdued" }[] = [];
  const percent = (share: number) => (share * 100).toFixed(share === 1 ? 0 : 2);
  const cut = report.subjectTouchesEdge === true;
  const kind = mode === "white" ? "white" : "lifestyle";
  const reasons = holdReasons({ kind, width: 0, height: 0, bytes: 0, format: "", ...report, notes: report.notes ?? [] }, kind);
  if (mode === "white" && report.backgroundPurity !== undefined) {
    const share = percent(report.backgroundPurity);
    lines.push(
      report.backgroundPurity >= 0.999
        ? { text: t("job.report.pureWhite", { share }), tone: "success" }
        : { text: t("job.report.notPureWhite", { share }), tone: "critical" },
    );
  }
  if (mode === "white" && report.borderPurity !== undefined) {
    lines.push({
      text: t("job.report.border", { band: BORDER_SHARE * 100, share: percent(report.borderPurity) }),
      tone: report.borderPurity === 1 ? "success" : cut ? "subdued" : "critical",
    });
  }
  if (mode === "white" && report.fillRatio !== undefined) {
    const fill = (report.fillRatio * 100).toFixed(1);
    const target = Math.round((report.fillTarget ?? 0.85) * 100);
    const off = reasons.includes("fill-off-target");
    lines.push({ text: t(off ? "job.report.fillOff" : "job.report.fillExact", { fill, target }), tone: off ? "critical" : "subdued" });
    if (!cut && report.centred === false) lines.push({ text: t("job.report.notCentred"), tone: "critical" });
  } else if (report.fillRatio !== undefined) {
    lines.push({ text: t("job.report.fill", { fill: Math.round(report.fillRatio * 100) }), tone: "subdued" });
  }
  if (cut) {
    const edges = (report.touchedEdges ?? []).map((edge) => t(EDGE_WORDS[edge])).join(", ");
    lines.push({ text: t("job.report.cutOff", { edges }), tone: "critical" });
  }
  if (report.keptObjects !== undefined) {
    lines.push({ text: t("job.report.kept", { count: report.keptObjects }), tone: "subdued" });
    const dropped = report.droppedObjects ?? 0;
    if (dropped > 0) lines.push({ text: t("job.report.dropped", { count: dropped }), tone: "subdued" });
  }
  if (report.subjectUnclear) lines.push({ text: t("job.report.unclear"), tone: "critical" });
  if (reasons.includes("low-resolution")) {
    lines.push({
      text: t("job.report.lowResolution", {
        width: report.sourceWidth ?? "?",
        height: report.sourceHeight ?? "?",
        product: report.productSourcePx ?? "?",
        upscale: (report.upscale ?? 1).toFixed(1),
      }),
      tone: "critical",
    });
  }
  if (report.fidelityFlag) lines.push({ text: t("job.report.changed"), tone: "critical" });
  else if (report.fidelity !== undefined) lines.push({ text: t("job.report.faithful"), tone: "success" });
  // Reports made before the border was measured cannot say; the gates that ran then decided.
  if (reasons.length > 0 && (kind === "lifestyle" || report.borderPurity !== undefined))
    lines.push({ text: t("job.report.held"), tone: "subdued" });
  return (
    <BlockStack gap="100">
      {lines.map((line) => (
        <Text key={line.text} as="p" tone={line.tone}>
          {line.tone === "success" ? "✓ " : line.tone === "critical" ? "⚠ " : ""}
          {line.text}
        </Text>
      ))}
      {report.notes && report.notes.length > 0 && (
        // How the provider got there, for support and the curious; the lines above are what matters.
        <details>
          <summary style={{ cursor: "pointer" }}>
            <Text as="span" tone="subdued" variant="bodySm">
              {t("job.report.details")}
            </Text>
          </summary>
          {report.notes.map((note) => (
            <Text key={note} as="p" tone="subdued" variant="bodySm">
              {note}
            </Text>
          ))}
        </details>
      )}
    </BlockStack>
  );
}

const RATIOS = ["1:1", "4:5", "3:4", "4:3", "2:3", "3:2", "16:9", "9:16"].map((r) => ({ label: r, value: r }));

// Another try from the same photos with some options changed. The new job gets its own page; this
// one and its results stay untouched.
function RegeneratePanel({
  id,
  mode,
  options,
  presets,
  busy,
  onClose,
}: {
  id: string;
  mode: string;
  options: Record<string, unknown>;
  presets: PresetChoice[];
  busy: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const submit = useSubmit();
  const [fill, setFill] = useState(Math.round(Number(options.fill ?? 0.85) * 100));
  const [shadow, setShadow] = useState(options.shadow !== false);
  const [ratio, setRatio] = useState(String(options.ratio ?? (mode === "white" ? "1:1" : "4:5")));
  const [preset, setPreset] = useState(String(options.preset ?? presets[0]?.value));
  const [style, setStyle] = useState(String(options.style ?? ""));
  const [count, setCount] = useState(String(options.count ?? 3));

  const onRegenerate = () => {
    const changes = mode === "white" ? { fill: fill / 100, shadow, ratio } : { preset, style, count: Number(count), ratio };
    submit({ intent: "regenerate", options: JSON.stringify(changes) }, { method: "post" });
  };

  return (
    <div id={id}>
      <Box padding="300" background="bg-surface-secondary" borderRadius="200">
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {t("job.regenerate.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("job.regenerate.help")}
          </Text>
          {mode === "white" ? (
            <>
              <RangeSlider label={t("new.fill")} min={75} max={95} value={fill} onChange={(v) => setFill(Number(v))} output />
              <Checkbox label={t("new.shadow")} checked={shadow} onChange={setShadow} />
            </>
          ) : (
            <>
              <PresetPicker presets={presets} value={preset} onChange={setPreset} />
              <TextField label={t("new.style")} value={style} onChange={setStyle} multiline={2} maxLength={500} autoComplete="off" />
              <Select label={t("new.count")} options={["2", "3"]} value={count} onChange={setCount} />
            </>
          )}
          <Select label={t("new.ratio")} options={RATIOS} value={ratio} onChange={setRatio} />
          <InlineStack gap="200">
            <Button variant="primary" onClick={onRegenerate} loading={busy}>
              {t("job.regenerate.submit")}
            </Button>
            <Button onClick={onClose}>{t("job.regenerate.close")}</Button>
          </InlineStack>
        </BlockStack>
      </Box>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteError notFound="job.notFound" />;
}

/** A time as the pages show it: UTC, to the minute. */
function formatTime(iso: string) {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
