import { useContext, type ReactNode } from "react";
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { LocaleContext, useT } from "~/i18n/index";
import type { BillingData } from "./types";
import { usePlanName } from "./usePlanName";

// The plans side by side, the free one first: each one's price and what it includes, the current one
// marked, and a button to choose (or switch to) each paid plan. Shopify's approval page is shown in the
// merchant's language, which the form sends along.
export function PlanChoices({ plan, plans, busy }: Pick<BillingData, "plan" | "plans"> & { busy: boolean }) {
  const t = useT();
  const planName = usePlanName();
  const locale = useContext(LocaleContext);
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <PlanCard
        title={planName("free")}
        price={t("billing.free.price")}
        body={t("billing.free.body")}
        current={plan === "free"}
        currentLabel={t("billing.currentBadge")}
      />
      {plans.map((paid) => (
        <PlanCard
          key={paid.id}
          title={planName(paid.id)}
          price={t("billing.paid.price", { price: paid.price })}
          body={t("billing.paid.body", { included: paid.included, perImage: paid.perImage })}
          current={plan === paid.id}
          currentLabel={t("billing.currentBadge")}
        >
          {plan !== paid.id && (
            <Form method="post">
              <input type="hidden" name="intent" value="choose" />
              <input type="hidden" name="plan" value={paid.id} />
              <input type="hidden" name="locale" value={locale} />
              <Button submit variant="primary" disabled={busy}>
                {plan === "free" ? t("billing.choose", { plan: planName(paid.id) }) : t("billing.switchTo", { plan: planName(paid.id) })}
              </Button>
            </Form>
          )}
        </PlanCard>
      ))}
    </InlineGrid>
  );
}

function PlanCard(props: { title: string; price: string; body: string; current: boolean; currentLabel: string; children?: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingMd">
            {props.title}
          </Text>
          {props.current && <Badge tone="success">{props.currentLabel}</Badge>}
        </InlineStack>
        <Text as="p" variant="headingLg">
          {props.price}
        </Text>
        <Text as="p">{props.body}</Text>
        {props.children}
      </BlockStack>
    </Card>
  );
}
