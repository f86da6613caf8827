import { useNavigate } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, IndexTable, InlineStack, Link, Pagination, Text, Thumbnail } from "@shopify/polaris";
import { statusTone } from "~/components/status";
import { useT, type MessageKey } from "~/i18n/index";
import { useFailureTitle } from "~/hooks/useFailureTitle";
import type { BatchData } from "./types";

// The batch's jobs, one page of them at a time: each one's first result, its product (a link to the
// job's page, with why it failed), its status and its progress.
export function JobsTable({ jobs, page, pages }: { jobs: BatchData["jobs"]; page: number; pages: number }) {
  const t = useT();
  const failureTitle = useFailureTitle();
  const navigate = useNavigate();
  return (
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
      {pages > 1 && (
        <Box padding="300">
          <InlineStack align="center">
            <Pagination
              hasPrevious={page > 1}
              hasNext={page < pages}
              onPrevious={() => navigate(`?page=${page - 1}`)}
              onNext={() => navigate(`?page=${page + 1}`)}
              label={t("batch.page", { page, pages })}
            />
          </InlineStack>
        </Box>
      )}
    </Card>
  );
}
