import { Badge, BlockStack, Box, Card, ResourceItem, ResourceList, Text } from "@shopify/polaris";
import { statusTone } from "~/components/status";
import type { JobState } from "~/models/constants";
import { useT, type MessageKey } from "~/i18n/index";
import { useFormatTime } from "~/hooks/useFormatTime";

// The home page's record of what automation did: each new photo it saw, with the job it made (and that
// job's state) or why it made none.

export interface AutomationCardProps {
  on: boolean;
  events: {
    id: string;
    productTitle: string;
    status: string;
    reason: string | null;
    jobId: string | null;
    jobStatus: string | null;
    createdAt: string;
  }[];
}

export function AutomationCard({ on, events }: AutomationCardProps) {
  const t = useT();
  const formatTime = useFormatTime();
  return (
    <Card padding="0">
      <Box padding="400" paddingBlockEnd="200">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("automation.card.title")}
          </Text>
          {!on && <Text as="p">{t("automation.card.off")}</Text>}
          {on && events.length === 0 && <Text as="p">{t("automation.card.empty")}</Text>}
        </BlockStack>
      </Box>
      {events.length > 0 && (
        <ResourceList
          items={events}
          renderItem={(event) => {
            const jobStatus = event.jobStatus as JobState | null;
            return (
              <ResourceItem
                id={event.id}
                url={event.jobId ? `/app/jobs/${event.jobId}` : ""}
                accessibilityLabel={`${event.productTitle} – ${t(event.status === "queued" ? "automation.status.queued" : "automation.status.refused")}`}
              >
                <BlockStack gap="100">
                  <Text as="h3" variant="bodyMd" fontWeight="bold">
                    {event.productTitle}
                  </Text>
                  <Text as="span" tone="subdued">
                    {formatTime(event.createdAt)}
                  </Text>
                  <span>
                    {jobStatus ? (
                      <Badge tone={statusTone(jobStatus)}>{t(`job.status.${jobStatus}` as MessageKey)}</Badge>
                    ) : (
                      <Badge tone="warning">
                        {t(
                          event.reason === "cap"
                            ? "automation.reason.cap"
                            : event.reason === "plan"
                              ? "automation.reason.plan"
                              : "automation.reason.error",
                        )}
                      </Badge>
                    )}
                  </span>
                </BlockStack>
              </ResourceItem>
            );
          }}
        />
      )}
    </Card>
  );
}
