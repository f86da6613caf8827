import { useState } from "react";
import { BlockStack, Card, Checkbox, Layout, Text, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { FieldMessages, SettingsData } from "./types";
// This month's usage, the monthly cap on paid images, economy bulk (Google's Batch API) and retention.
export function LimitsSection({
  settings,
  usage,
  economyAvailable,
  errors,
}: Pick<SettingsData, "settings" | "usage" | "economyAvailable"> & { errors: FieldMessages }) {
  const t = useT();
  const [economyBulk, setEconomyBulk] = useState(settings.economyBulk);
  const [monthlyCap, setMonthlyCap] = useState(settings.monthlyCap == null ? "" : String(settings.monthlyCap));
  const [retentionDays, setRetentionDays] = useState(String(settings.retentionDays));
  return (
    <Layout.AnnotatedSection title={t("settings.limits.title")} description={t("settings.limits.description")}>
      <Card>
        <BlockStack gap="400">
          <Text as="p">{t("settings.usage.label", { month: usage.month, count: usage.images, cost: usage.costUsd.toFixed(2) })}</Text>
          <TextField
            label={t("settings.monthlyCap.label")}
            name="monthlyCap"
            type="number"
            min={0}
            step={1}
            value={monthlyCap}
            onChange={setMonthlyCap}
            helpText={
              settings.monthlyCap != null
                ? `${t("settings.usage.ofCap", { images: usage.paidImages + usage.reserved, count: settings.monthlyCap })} ${t("settings.monthlyCap.help")}`
                : t("settings.monthlyCap.help")
            }
            error={errors.monthlyCap}
            autoComplete="off"
          />
          <Checkbox
            label={t("settings.economyBulk.label")}
            name="economyBulk"
            checked={economyAvailable && economyBulk}
            disabled={!economyAvailable}
            onChange={setEconomyBulk}
            helpText={economyAvailable ? t("settings.economyBulk.help") : undefined}
            error={errors.economyBulk}
          />
          {/* Why it is off, at full contrast: a disabled checkbox's own help text is too faint to read (WCAG AA). */}
          {!economyAvailable && (
            <Text as="p" tone="subdued">
              {t("settings.economyBulk.unavailable")}
            </Text>
          )}
          <TextField
            label={t("settings.retentionDays.label")}
            name="retentionDays"
            type="number"
            min={1}
            max={3650}
            step={1}
            value={retentionDays}
            onChange={setRetentionDays}
            helpText={t("settings.retentionDays.help")}
            error={errors.retentionDays}
            autoComplete="off"
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
