import { useState } from "react";
import { BlockStack, Card, ChoiceList, Layout, Select } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { useProviderName } from "~/hooks/useProviderName";
import type { FieldMessages, SettingsData } from "./types";
// The mode and provider a new generation starts with (the New page and both admin actions use them).
export function DefaultsSection({ settings, providers, errors }: Pick<SettingsData, "settings" | "providers"> & { errors: FieldMessages }) {
  const t = useT();
  const providerName = useProviderName();
  const [defaultMode, setDefaultMode] = useState(settings.defaultMode);
  const [provider, setProvider] = useState(settings.provider ?? "");
  // A provider chosen earlier whose key has since been removed stays listed, marked, until changed.
  const providerMissing = provider !== "" && !providers.includes(provider as (typeof providers)[number]);
  const providerOptions = [
    { label: t("settings.provider.automatic"), value: "" },
    ...providers.map((name) => ({ label: providerName(name), value: name })),
    ...(providerMissing ? [{ label: t("settings.provider.notConfigured", { name: providerName(provider) }), value: provider }] : []),
  ];
  return (
    <Layout.AnnotatedSection title={t("settings.defaults.title")} description={t("settings.defaults.description")}>
      <Card>
        <BlockStack gap="400">
          <ChoiceList
            title={t("settings.defaultMode")}
            name="defaultMode"
            choices={[
              { label: t("new.mode.white.label"), value: "white", helpText: t("new.mode.white.help") },
              { label: t("new.mode.lifestyle.label"), value: "lifestyle", helpText: t("new.mode.lifestyle.help") },
            ]}
            selected={[defaultMode]}
            onChange={(value) => setDefaultMode(value[0])}
            error={errors.defaultMode}
          />
          <Select
            label={t("settings.provider.label")}
            name="provider"
            options={providerOptions}
            value={provider}
            onChange={setProvider}
            helpText={t("settings.provider.help")}
            error={errors.provider ?? (providerMissing ? t("settings.provider.notConfiguredHelp") : undefined)}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
