import { BlockStack, Card, Text } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BillingData } from "./types";

// This month so far: the generative images made and reserved, the plan's included images used, what
// was charged on Shopify (and what is still being sent or was refused over the cap), and the free
// images of the local provider.
export function UsageCard({ plan, included, usage, charges }: Pick<BillingData, "plan" | "included" | "usage" | "charges">) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("billing.usage.title")}
        </Text>
        {usage.paidImages + usage.reserved === 0 ? (
          <Text as="p">{t("billing.usage.none")}</Text>
        ) : (
          <Text as="p">{t("billing.usage.paidImages", { images: usage.paidImages, reserved: usage.reserved })}</Text>
        )}
        {plan !== "free" && <Text as="p">{t("billing.usage.included", { used: Math.min(charges.included, included), included })}</Text>}
        <Text as="p">{t("billing.usage.charged", { count: charges.charged, amount: charges.chargedAmount })}</Text>
        {charges.waiting > 0 && <Text as="p">{t("billing.usage.waiting", { count: charges.waiting, amount: charges.waitingAmount })}</Text>}
        {charges.refused > 0 && (
          <Text as="p" tone="critical">
            {t("billing.usage.refused", { count: charges.refused })}
          </Text>
        )}
        <Text as="p" tone="subdued">
          {t("billing.usage.local", { images: usage.localImages })}
        </Text>
      </BlockStack>
    </Card>
  );
}
