import { Badge, BlockStack, Card, InlineStack, Layout, Text } from "@shopify/polaris";
import { useT, type MessageKey } from "~/i18n/index";
import { useProviderName } from "~/hooks/useProviderName";
import type { SettingsData } from "./types";

// Each provider's status as the server sees it: configured or not, model, endpoint host and how it
// authenticates. Built field by field on the server; no key or password reaches the page.
export function ProvidersSection({ providerStatus }: Pick<SettingsData, "providerStatus">) {
  const t = useT();
  const providerName = useProviderName();
  return (
    <Layout.AnnotatedSection title={t("settings.providers.title")} description={t("settings.providers.description")}>
      <Card>
        <BlockStack gap="400">
          {providerStatus.map((status) => (
            <BlockStack gap="100" key={status.name}>
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  {providerName(status.name)}
                </Text>
                <Badge tone={status.configured ? "success" : undefined}>
                  {t(status.configured ? "settings.providers.configured" : "settings.providers.notConfigured")}
                </Badge>
              </InlineStack>
              {status.name === "local" && (
                <Text as="p" tone="subdued">
                  {t("settings.providers.local.detail")}
                </Text>
              )}
              {status.name === "vision" && (
                <Text as="p" tone="subdued">
                  {t("settings.providers.vision.detail")}
                </Text>
              )}
              {status.model && (
                <Text as="p" tone="subdued">
                  {t("settings.providers.model", { model: status.model })}
                </Text>
              )}
              {status.host && (
                <Text as="p" tone="subdued">
                  {t("settings.providers.host", { host: status.host })}
                </Text>
              )}
              {status.auth && (
                <Text as="p" tone="subdued">
                  {t(`settings.providers.auth.${status.auth}`)}
                </Text>
              )}
              {!status.configured && (
                <Text as="p" tone="subdued">
                  {t(`settings.providers.${status.name}.setup` as MessageKey)}
                </Text>
              )}
            </BlockStack>
          ))}
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
