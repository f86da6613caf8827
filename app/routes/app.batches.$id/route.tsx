import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, Layout, Page } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { googleBatchSummary } from "~/models/google-batches.server";
import { RouteError } from "~/components/RouteError";
import { useT } from "~/i18n/index";
import { usePolling } from "~/hooks/usePolling";
import { getBatch } from "~/models/batches.server";
import type { JobState } from "~/models/constants";
import { signedFileUrl } from "~/infra/storage.server";
import { readForm } from "~/infra/request-body.server";
import { refuse } from "~/infra/forms.server";
import { refusal } from "~/models/generation.server";
import { useFormErrors } from "~/components/FormErrors";
import * as intents from "./actions.server";
import { GoogleBatchBanner } from "./GoogleBatchBanner";
import { ProgressCard } from "./ProgressCard";
import { JobsTable } from "./JobsTable";
import { useFormatTime } from "~/hooks/useFormatTime";

// One batch (a bulk request): its progress and the Retry and Cancel buttons (ProgressCard.tsx), its jobs
// a page at a time (JobsTable.tsx), the jobs waiting for Google's batch (GoogleBatchBanner.tsx), and why
// the last click was refused (queue down, monthly cap). actions.server.ts holds the two intents.

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
  const context = { shop: session.shop, id: params.id ?? "" };
  let count: number | null;
  try {
    switch (form.get("intent")) {
      case "retry":
        count = await intents.retry(context);
        break;
      case "cancel":
        count = await intents.cancel(context);
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
  const formatTime = useFormatTime();
  const navigation = useNavigation();
  const busy = batch.counts.inProgress > 0;
  // Poll while anything is still moving (slowly while everything left waits for Google's batch, which takes hours).
  usePolling(busy, batch.googleBatch && batch.googleBatch.count === batch.counts.inProgress ? 30_000 : 1000);

  const submitting = navigation.state !== "idle" ? navigation.formData?.get("intent") : undefined;
  const errors = useFormErrors(actionData);
  const queueDown = "form" in errors;
  const capReached = errors.cap ?? null;

  return (
    <Page
      title={t("batch.title", { count: batch.counts.total })}
      subtitle={`${t(batch.mode === "white" ? "new.mode.white.label" : "new.mode.lifestyle.label")} · ${formatTime(batch.createdAt)}`}
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
            <GoogleBatchBanner googleBatch={batch.googleBatch} />
          </Layout.Section>
        )}
        <Layout.Section>
          <ProgressCard batch={batch} busy={busy} submitting={submitting} />
        </Layout.Section>
        <Layout.Section>
          <JobsTable jobs={jobs} page={batch.page} pages={batch.pages} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError notFound="batch.notFound" />;
}
