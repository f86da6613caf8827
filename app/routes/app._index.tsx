import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, EmptyState, Layout, Page, ResourceItem, ResourceList, Text, Thumbnail } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { statusTone } from "~/components/status";
import { CatalogueCard } from "~/components/CatalogueCard";
import type { JobState } from "~/models/constants";
import { useT, type MessageKey } from "~/i18n/index";
import { listBatches } from "~/models/batches.server";
import { listJobs } from "~/models/jobs.server";
import { getUsage } from "~/models/usage.server";
import { PENDING_STORAGE_KEY, signedFileUrl } from "~/infra/storage.server";
import { loadAutomationCard } from "~/models/automation.server";
import { AutomationCard } from "~/components/AutomationCard";
import { useFormatTime } from "~/hooks/useFormatTime";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [jobs, batches, usage, automation] = await Promise.all([
    listJobs(session.shop, { single: true }),
    listBatches(session.shop),
    getUsage(session.shop),
    loadAutomationCard(session.shop),
  ]);
  return {
    usage,
    automation,
    batches: batches.map((batch) => ({
      id: batch.id,
      mode: batch.mode,
      createdAt: batch.createdAt.toISOString(),
      counts: batch.counts,
    })),
    jobs: jobs.map((job) => ({
      id: job.id,
      title: job.productTitle,
      mode: job.mode,
      status: job.status as JobState,
      progress: job.progress,
      createdAt: job.createdAt.toISOString(),
      // A running job's output row is a placeholder until its file is saved: no thumbnail for it yet.
      thumbnail:
        job.outputs[0] && job.outputs[0].storageKey !== PENDING_STORAGE_KEY
          ? signedFileUrl(job.outputs[0].storageKey, { thumbnail: true })
          : null,
    })),
  };
}

export default function Home() {
  const { jobs, batches, usage, automation } = useLoaderData<typeof loader>();
  const t = useT();
  const formatTime = useFormatTime();
  return (
    <Page title={t("home.title")} primaryAction={{ content: t("nav.new"), url: "/app/new" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <CatalogueCard />
            {batches.length > 0 && (
              <Card padding="0">
                <Box padding="400" paddingBlockEnd="200">
                  <Text as="h2" variant="headingMd">
                    {t("home.batches.title")}
                  </Text>
                </Box>
                <ResourceList
                  resourceName={{ singular: t("home.batches.singular"), plural: t("home.batches.plural") }}
                  items={batches}
                  renderItem={(batch) => {
                    const title = t("batch.title", { count: batch.counts.total });
                    return (
                      <ResourceItem id={batch.id} url={`/app/batches/${batch.id}`} accessibilityLabel={title}>
                        <BlockStack gap="100">
                          <Text as="h3" variant="bodyMd" fontWeight="bold">
                            {title}
                          </Text>
                          <Text as="span">
                            {t("home.batches.summary", { count: batch.counts.total, done: batch.counts.done, failed: batch.counts.failed })}
                          </Text>
                          <Text as="span" tone="subdued">
                            {t(batch.mode === "white" ? "new.mode.white.label" : "new.mode.lifestyle.label")} ·{" "}
                            {formatTime(batch.createdAt)}
                          </Text>
                          {batch.counts.inProgress > 0 && (
                            <span>
                              <Badge tone="info">{t("home.batches.inProgress", { count: batch.counts.inProgress })}</Badge>
                            </span>
                          )}
                        </BlockStack>
                      </ResourceItem>
                    );
                  }}
                />
              </Card>
            )}
            {jobs.length === 0 && batches.length === 0 && (
              <Card padding="0">
                <EmptyState heading={t("home.empty.heading")} action={{ content: t("nav.new"), url: "/app/new" }} image="/empty-state.svg">
                  <p>{t("home.empty.body")}</p>
                </EmptyState>
              </Card>
            )}
            {jobs.length > 0 && (
              <Card padding="0">
                <Box padding="400" paddingBlockEnd="200">
                  <Text as="h2" variant="headingMd">
                    {t("home.recentJobs")}
                  </Text>
                </Box>
                <ResourceList
                  resourceName={{ singular: t("home.jobs.singular"), plural: t("home.jobs.plural") }}
                  items={jobs}
                  renderItem={(job) => (
                    <ResourceItem
                      id={job.id}
                      url={`/app/jobs/${job.id}`}
                      accessibilityLabel={`${job.title} – ${t(`job.status.${job.status}` as MessageKey)}`}
                      media={
                        <Thumbnail
                          source={job.thumbnail ?? "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"}
                          alt={job.title}
                          size="small"
                        />
                      }
                    >
                      <BlockStack gap="100">
                        <Text as="h3" variant="bodyMd" fontWeight="bold">
                          {job.title}
                        </Text>
                        <Text as="span" tone="subdued">
                          {t(job.mode === "white" ? "new.mode.white.label" : "new.mode.lifestyle.label")} · {formatTime(job.createdAt)}
                        </Text>
                        <span>
                          <Badge tone={statusTone(job.status)}>{t(`job.status.${job.status}` as MessageKey)}</Badge>
                        </span>
                      </BlockStack>
                    </ResourceItem>
                  )}
                />
              </Card>
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <Text as="p">{t("home.usage", { count: usage.images })}</Text>
            </Card>
            <AutomationCard {...automation} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
