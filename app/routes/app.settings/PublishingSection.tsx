import { useState } from "react";
import { BlockStack, Box, Card, ChoiceList, Layout, Text, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { renderAltText, unknownPlaceholders } from "~/shopify/alt-text";
import type { FieldMessages, SettingsData } from "./types";

// The help texts name the alt-text placeholders themselves, which the messages' own {{values}} would fill.
const LITERAL_PLACEHOLDERS = { title: "{title}", mode: "{mode}" };
// How results reach the product: review first or at once, where the new media go, and their alt text
// (previewed as the shop's shoppers will read it, in the shop's language).
export function PublishingSection({
  settings,
  altTextLanguage,
  errors,
}: Pick<SettingsData, "settings" | "altTextLanguage"> & { errors: FieldMessages }) {
  const t = useT();
  const [publishMode, setPublishMode] = useState(settings.publishMode);
  const [mediaPosition, setMediaPosition] = useState(settings.mediaPosition);
  const [altTextTemplate, setAltTextTemplate] = useState(settings.altTextTemplate);
  const unknown = unknownPlaceholders(altTextTemplate);
  const exampleTitle = t("settings.altText.exampleTitle");
  return (
    <Layout.AnnotatedSection title={t("settings.publishing.title")} description={t("settings.publishing.description")}>
      <Card>
        <BlockStack gap="400">
          <ChoiceList
            title={t("settings.publishMode.label")}
            name="publishMode"
            choices={[
              { label: t("settings.publishMode.review.label"), value: "review", helpText: t("settings.publishMode.review.help") },
              { label: t("settings.publishMode.auto.label"), value: "auto", helpText: t("settings.publishMode.auto.help") },
            ]}
            selected={[publishMode]}
            onChange={(value) => setPublishMode(value[0])}
            error={errors.publishMode}
          />
          <ChoiceList
            title={t("settings.mediaPosition.label")}
            name="mediaPosition"
            choices={[
              { label: t("settings.mediaPosition.append"), value: "append" },
              { label: t("settings.mediaPosition.first"), value: "first" },
            ]}
            selected={[mediaPosition]}
            onChange={(value) => setMediaPosition(value[0])}
            error={errors.mediaPosition}
          />
          <TextField
            label={t("settings.altText.label")}
            name="altTextTemplate"
            value={altTextTemplate}
            onChange={setAltTextTemplate}
            maxLength={255}
            showCharacterCount
            helpText={t("settings.altText.help", LITERAL_PLACEHOLDERS)}
            error={
              errors.altTextTemplate ??
              (unknown.length > 0 ? t("settings.altText.unknown", { ...LITERAL_PLACEHOLDERS, list: unknown.join(", ") }) : undefined)
            }
            autoComplete="off"
          />
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {t("settings.altText.preview")}
              </Text>
              {(["white", "lifestyle"] as const).map((mode) => (
                <Text as="p" key={mode}>
                  {renderAltText(altTextTemplate.trim(), { title: exampleTitle, mode, language: altTextLanguage })}
                </Text>
              ))}
            </BlockStack>
          </Box>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
