import { useEffect } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  IndexTable,
  InlineStack,
  Layout,
  Link,
  Page,
  Pagination,
  ProgressBar,
  Text,
  Thumbnail,
} from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { statusTone } from "~/components/status";
import { googleBatchSummary } from "~/models/google-batches.server";
import { RouteError } from "~/components/RouteError";
import { useT, type MessageKey } from "~/i18n/index";
import { useFailureTitle } from "~/hooks/useFailureTitle";
import { cancelRest, getBatch, retryFailed } from "~/models/batches.server";
import type { JobState } from "~/models/constants";
import { signedFileUrl } from "~/infra/storage.server";
import { readForm } from "~/infra/request-body.server";
import { refuse } from "~/infra/forms.server";
import { refusal } from "~/models/generation.server";
import { useFormErrors } from "~/components/FormErrors";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const page = Number(new URL(request.url).searchParams.get("page") ?? 1);
  const batch = await getBatch(session.shop, params.id ?? "", { page });
  if (!batch) throw new Response("Batch not found", { status: 404 });
  const jobs = batch.jobs.map((job) => ({
    id: job.id,
    productTitle: job.productTitle,
    status: job.status as JobState,
    progress: job.progress,
    error: job.status === "failed" ? job.error : null,
    errorCode: job.status === "failed" ? job.errorCode : null,
    thumbnail: job.outputs[0] ? signedFileUrl(job.outputs[0].storageKey, { thumbnail: true }) : null,
  }));
  return {
    batch: {
      id: batch.id,
      mode: batch.mode,
      createdAt: batch.createdAt.toISOString(),
      counts: batch.counts,
      progress: batch.progress,
      retryable: batch.retryable,
      cancellable: batch.cancellable,
      page: batch.page,
      pages: batch.pages,
      economy: batch.economy,
      googleBatch: googleBatchSummary(batch),
    },
    jobs,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  let count: number | null;
  try {
    switch (intent) {
      case "retry":
        count = await retryFailed(session.shop, params.id ?? "");
        break;
      case "cancel":
        count = await cancelRest(session.shop, params.id ?? "");
        break;
      default:
        return refuse({ intent: { code: "UNKNOWN_ACTION" } });
    }
  } catch (error) {
    // The cap's message goes on its own banner (a warning), the queue's on the critical one.
    const { errors, status } = refusal(error, "cap");
    return refuse(errors, status);
  }
  if (count === null) throw new Response("Batch not found", { status: 404 });
  return json({ ok: true, count });
}

export default function BatchPage() {
  const { batch, jobs } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const failureTitle = useFailureTitle();
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const busy = batch.counts.inProgress > 0;
  // Polled slowly while everything left waits for Google's batch, which takes hours.
  const pollMs = batch.googleBatch && batch.googleBatch.count === batch.counts.inProgress ? 30_000 : 1000;

  // Live progress without a manual reload: poll while anything is still moving.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, pollMs);
    return () => clearInterval(timer);
  }, [busy, revalidator, pollMs]);

  const submitting = navigation.state !== "idle" ? navigation.formData?.get("intent") : undefined;
  const errors = useFormErrors(actionData);
  const queueDown = "form" in errors;
  const capReached = errors.cap ?? null;

  return (
    <Page
      title={t("batch.title", { count: batch.counts.total })}
      subtitle={`${t(batch.mode === "white" ? "new.mode.white.label" : "new.mode.lifestyle.label")} · ${batch.createdAt.slice(0, 16).replace("T", " ")} UTC`}
      backAction={{ content: t("nav.home"), url: "/app" }}
    >
      <Layout>
        {queueDown && (
          <Layout.Section>
            <Banner tone="critical" title={t("errors.QUEUE_UNAVAILABLE")} />
          </Layout.Section>
        )}
        {capReached && (
          <Layout.Section>
            <Banner tone="warning" title={capReached} />
          </Layout.Section>
        )}
        {batch.googleBatch && (
          <Layout.Section>
            <Banner tone="info" title={t("job.status.awaiting_batch")}>
              <Text as="p">
                {t("batch.googleBatch.waiting", {
                  count: batch.googleBatch.count,
                  submitted: `${batch.googleBatch.submittedAt.slice(0, 16).replace("T", " ")} UTC`,
                  expected: `${batch.googleBatch.expectedBy.slice(0, 16).replace("T", " ")} UTC`,
                })}
              </Text>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
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
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              selectable={false}
              itemCount={jobs.length}
              resourceName={{ singular: t("batch.product"), plural: t("batch.products") }}
              emptyState={
                <Text as="p" tone="subdued">
                  {t("batch.empty")}
                </Text>
              }
              headings={[
                { title: t("batch.column.result") },
                { title: t("batch.column.product") },
                { title: t("batch.column.status") },
                { title: t("batch.column.progress"), alignment: "end" },
              ]}
            >
              {jobs.map((job, index) => {
                const title = job.productTitle || t("job.title");
                return (
                  <IndexTable.Row id={job.id} key={job.id} position={index}>
                    <IndexTable.Cell>
                      {job.thumbnail && <Thumbnail source={job.thumbnail} alt={t("batch.thumbnailAlt", { title })} size="small" />}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <BlockStack gap="100">
                        <Link url={`/app/jobs/${job.id}`} dataPrimaryLink>
                          {title}
                        </Link>
                        {job.error && (
                          <Text as="span" tone="critical" variant="bodySm">
                            {/* In the merchant's language by its code; the job's page has the exact reason. */}
                            {failureTitle(job.errorCode, job.error).title}
                          </Text>
                        )}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={statusTone(job.status)}>{t(`job.status.${job.status}` as MessageKey)}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {/* A stopped job's percentage says nothing useful: where it stopped. */}
                        {job.status === "failed" || job.status === "cancelled" ? "—" : `${job.progress}%`}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
            {batch.pages > 1 && (
              <Box padding="300">
                <InlineStack align="center">
                  <Pagination
                    hasPrevious={batch.page > 1}
                    hasNext={batch.page < batch.pages}
                    onPrevious={() => navigate(`?page=${batch.page - 1}`)}
                    onNext={() => navigate(`?page=${batch.page + 1}`)}
                    label={t("batch.page", { page: batch.page, pages: batch.pages })}
                  />
                </InlineStack>
              </Box>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError notFound="batch.notFound" />;
}
