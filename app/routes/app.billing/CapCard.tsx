import { useState } from "react";
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BillingData } from "./types";

// The monthly cap on paid images: what it is and what happens when it is reached, a raise waiting for
// the merchant's approval, and the form that asks Shopify for a higher one (a capped amount only grows).
export function CapCard({
  cap,
  included,
  perImage,
  cappedAmount,
  pendingCapped,
  busy,
  notHigher,
}: Pick<BillingData, "cap" | "included" | "perImage" | "cappedAmount" | "pendingCapped"> & {
  busy: boolean;
  /** Whether the last raise was refused for not being above the current cap. */
  notHigher: boolean;
}) {
  const t = useT();
  const [capImages, setCapImages] = useState(cap ? String(cap + 50) : "");
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("billing.cap.title")}
        </Text>
        {cap == null ? (
          <Text as="p">{t("billing.cap.free")}</Text>
        ) : (
          <>
            <Text as="p">
              {t("billing.cap.body", {
                cap,
                included,
                extra: cap - included,
                perImage: perImage ?? "",
                capped: cappedAmount ?? "",
              })}
            </Text>
            {pendingCapped && <Banner tone="info">{t("billing.cap.pending", { capped: pendingCapped })}</Banner>}
            <Form method="post">
              <BlockStack gap="200">
                <input type="hidden" name="intent" value="cap" />
                <TextField
                  label={t("billing.cap.field")}
                  name="images"
                  type="number"
                  autoComplete="off"
                  value={capImages}
                  onChange={setCapImages}
                  helpText={t("billing.cap.help")}
                  error={notHigher ? t("billing.cap.notHigher", { cap }) : undefined}
                />
                <InlineStack>
                  <Button submit disabled={busy}>
                    {t("billing.cap.raise")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </>
        )}
      </BlockStack>
    </Card>
  );
}
