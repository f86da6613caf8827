import { Form } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BillingData } from "./types";
import { usePlanName } from "./usePlanName";

// The shop's plan now, the way back to the free plan, and how a change is approved.
export function CurrentPlanCard({ plan, busy }: Pick<BillingData, "plan"> & { busy: boolean }) {
  const t = useT();
  const planName = usePlanName();
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("billing.current", { plan: planName(plan) })}
          </Text>
          {plan !== "free" && (
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <Button submit variant="plain" tone="critical" disabled={busy}>
                {t("billing.cancel")}
              </Button>
            </Form>
          )}
        </InlineStack>
        <Text as="p" tone="subdued">
          {t("billing.approveHint")}
        </Text>
      </BlockStack>
    </Card>
  );
}
