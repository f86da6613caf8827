import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { readForm } from "~/infra/request-body.server";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  InlineError,
  InlineStack,
  Layout,
  Page,
  RangeSlider,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { useT, type MessageKey } from "~/i18n/index";
import { altTextTemplateFor, renderAltText, shopLanguage, unknownPlaceholders } from "~/shopify/alt-text";
import { adminApiForSession } from "~/models/admin.server";
import { readShopPrimaryLocale } from "~/shopify/shop-locale.server";
import { getSettings, listProviderStatus, parseSettingsForm, updateSettings } from "~/models/settings.server";
import { economyUnavailable } from "~/models/google-batches.server";
import { getUsage } from "~/models/usage.server";
import { availableProviders, RATIOS } from "~/studio";
import { getStudioConfig, presetChoices } from "~/infra/studio-config.server";
import { PresetPicker } from "~/components/PresetPicker";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { refuse } from "~/infra/forms.server";

// The help texts name the alt-text placeholders themselves, which the messages' own {{values}} would fill.
const LITERAL_PLACEHOLDERS = { title: "{title}", mode: "{mode}" };

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const config = getStudioConfig();
  const [settings, usage, locale] = await Promise.all([
    getSettings(session.shop),
    getUsage(session.shop),
    readShopPrimaryLocale(adminApiForSession(session)),
  ]);
  // Alt text is for shoppers: it follows the shop's primary language, not the admin user's.
  const altTextLanguage = shopLanguage(locale);
  return {
    settings: {
      defaultMode: settings.defaultMode,
      provider: settings.provider,
      publishMode: settings.publishMode,
      mediaPosition: settings.mediaPosition,
      altTextTemplate: altTextTemplateFor(settings.altTextTemplate, altTextLanguage),
      monthlyCap: settings.monthlyCap,
      capFromPlan: settings.capFromPlan,
      automation: settings.automation,
      retentionDays: settings.retentionDays,
      economyBulk: settings.economyBulk,
      whiteOptions: settings.whiteDefaults,
      lifestyleOptions: settings.lifestyleDefaults,
    },
    usage,
    altTextLanguage,
    providers: availableProviders(config),
    providerStatus: listProviderStatus(config),
    // Google's Batch API needs a Gemini API key: Vertex AI batches read from Cloud Storage, gateways have none.
    economyAvailable: economyUnavailable(config) === null,
    presets: presetChoices(),
    ratios: [...RATIOS],
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const parsed = parseSettingsForm(await readForm(request), availableProviders(getStudioConfig()));
  if ("errors" in parsed) return refuse(parsed.errors);
  await updateSettings(session.shop, parsed.data);
  return json({ saved: true as const });
}

const FORMATS = [
  { label: "JPEG", value: "jpeg" },
  { label: "PNG", value: "png" },
  { label: "WebP", value: "webp" },
];

export default function Settings() {
  const { settings, usage, altTextLanguage, providers, providerStatus, economyAvailable, presets, ratios } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = useFormErrors(actionData);
  const t = useT();
  const shopify = useAppBridge();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting";

  const [defaultMode, setDefaultMode] = useState(settings.defaultMode);
  const [provider, setProvider] = useState(settings.provider ?? "");
  const [white, setWhite] = useState({ ...settings.whiteOptions, size: String(settings.whiteOptions.size) });
  const [lifestyle, setLifestyle] = useState({ ...settings.lifestyleOptions, size: String(settings.lifestyleOptions.size) });
  const [fill, setFill] = useState(Math.round(settings.whiteOptions.fill * 100));
  const [publishMode, setPublishMode] = useState(settings.publishMode);
  const [mediaPosition, setMediaPosition] = useState(settings.mediaPosition);
  const [altTextTemplate, setAltTextTemplate] = useState(settings.altTextTemplate);
  const [economyBulk, setEconomyBulk] = useState(settings.economyBulk);
  const [monthlyCap, setMonthlyCap] = useState(settings.monthlyCap == null ? "" : String(settings.monthlyCap));
  const [retentionDays, setRetentionDays] = useState(String(settings.retentionDays));
  const [automation, setAutomation] = useState(settings.automation);

  // App Bridge's `shopify` may only be read in the browser (on the server its properties throw), so the
  // toast is reached inside the effect.
  useEffect(() => {
    if (actionData && "saved" in actionData) shopify.toast.show(t("settings.saved"));
  }, [actionData, shopify, t]);

  const providerName = (name: string) => t(`settings.providers.${name}.label` as MessageKey);
  const providerMissing = provider !== "" && !providers.includes(provider as (typeof providers)[number]);
  const providerOptions = [
    { label: t("settings.provider.automatic"), value: "" },
    ...providers.map((name) => ({ label: providerName(name), value: name })),
    ...(providerMissing ? [{ label: t("settings.provider.notConfigured", { name: providerName(provider) }), value: provider }] : []),
  ];
  const ratioOptions = ratios.map((ratio) => ({ label: ratio, value: ratio }));
  const unknown = unknownPlaceholders(altTextTemplate);
  const exampleTitle = t("settings.altText.exampleTitle");

  return (
    <Page title={t("settings.title")} backAction={{ content: t("nav.home"), url: "/app" }}>
      <Form method="post">
        <Layout>
          {Object.keys(errors).length > 0 && (
            <Layout.Section>
              <FormErrors title={t("settings.notSaved")} errors={errors.form ? { form: errors.form } : {}} always />
            </Layout.Section>
          )}

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

          <Layout.AnnotatedSection title={t("settings.white.title")} description={t("settings.white.description")}>
            <Card>
              <BlockStack gap="400">
                <TextField
                  label={t("new.size")}
                  name="whiteOptions.size"
                  type="number"
                  min={1000}
                  max={4096}
                  step={1}
                  value={white.size}
                  onChange={(size) => setWhite({ ...white, size })}
                  helpText={t("settings.size.help")}
                  error={errors["whiteOptions.size"]}
                  autoComplete="off"
                />
                <Select
                  label={t("new.ratio")}
                  name="whiteOptions.ratio"
                  options={ratioOptions}
                  value={white.ratio}
                  onChange={(ratio) => setWhite({ ...white, ratio: ratio as typeof white.ratio })}
                  error={errors["whiteOptions.ratio"]}
                />
                <input type="hidden" name="whiteOptions.fill" value={fill} />
                <RangeSlider
                  label={t("new.fill")}
                  min={75}
                  max={95}
                  value={fill}
                  onChange={(value) => setFill(Number(value))}
                  suffix={<Text as="span">{fill}%</Text>}
                  helpText={t("settings.fill.help")}
                  error={errors["whiteOptions.fill"]}
                />
                <Checkbox
                  label={t("new.shadow")}
                  name="whiteOptions.shadow"
                  value="true"
                  checked={white.shadow}
                  onChange={(shadow) => setWhite({ ...white, shadow })}
                  helpText={t("settings.shadow.help")}
                  error={errors["whiteOptions.shadow"]}
                />
                <Select
                  label={t("new.format")}
                  name="whiteOptions.format"
                  options={FORMATS}
                  value={white.format}
                  onChange={(format) => setWhite({ ...white, format: format as typeof white.format })}
                  error={errors["whiteOptions.format"]}
                />
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection title={t("settings.lifestyle.title")} description={t("settings.lifestyle.description")}>
            <Card>
              <BlockStack gap="400">
                <BlockStack gap="100">
                  <input type="hidden" name="lifestyleOptions.preset" value={lifestyle.preset} />
                  <PresetPicker presets={presets} value={lifestyle.preset} onChange={(preset) => setLifestyle({ ...lifestyle, preset })} />
                  {errors["lifestyleOptions.preset"] && (
                    <InlineError message={errors["lifestyleOptions.preset"]} fieldID="lifestyleOptions.preset" />
                  )}
                </BlockStack>
                <ChoiceList
                  title={t("settings.count.label")}
                  name="lifestyleOptions.count"
                  choices={[2, 3].map((count) => ({ label: t("settings.count.option", { count }), value: String(count) }))}
                  selected={[String(lifestyle.count)]}
                  onChange={(value) => setLifestyle({ ...lifestyle, count: Number(value[0]) as 2 | 3 })}
                  error={errors["lifestyleOptions.count"]}
                />
                <Select
                  label={t("new.ratio")}
                  name="lifestyleOptions.ratio"
                  options={ratioOptions}
                  value={lifestyle.ratio}
                  onChange={(ratio) => setLifestyle({ ...lifestyle, ratio: ratio as typeof lifestyle.ratio })}
                  error={errors["lifestyleOptions.ratio"]}
                />
                <TextField
                  label={t("new.size")}
                  name="lifestyleOptions.size"
                  type="number"
                  min={1000}
                  max={4096}
                  step={1}
                  value={lifestyle.size}
                  onChange={(size) => setLifestyle({ ...lifestyle, size })}
                  helpText={t("settings.size.help")}
                  error={errors["lifestyleOptions.size"]}
                  autoComplete="off"
                />
                <Select
                  label={t("new.format")}
                  name="lifestyleOptions.format"
                  options={FORMATS}
                  value={lifestyle.format}
                  onChange={(format) => setLifestyle({ ...lifestyle, format: format as typeof lifestyle.format })}
                  error={errors["lifestyleOptions.format"]}
                />
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

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
                <Checkbox
                  label={t("automation.setting.label")}
                  name="automation"
                  checked={automation}
                  onChange={setAutomation}
                  helpText={t("automation.setting.help")}
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

          <Layout.AnnotatedSection title={t("settings.limits.title")} description={t("settings.limits.description")}>
            <Card>
              <BlockStack gap="400">
                <Text as="p">{t("settings.usage.label", { month: usage.month, count: usage.images, cost: usage.costUsd.toFixed(2) })}</Text>
                {settings.capFromPlan ? (
                  <BlockStack gap="200">
                    <Text as="p">
                      {settings.monthlyCap
                        ? t("settings.usage.ofCap", { images: usage.paidImages + usage.reserved, count: settings.monthlyCap })
                        : t("billing.cap.free")}
                    </Text>
                    <InlineStack>
                      <Button url="/app/billing">{t("nav.billing")}</Button>
                    </InlineStack>
                  </BlockStack>
                ) : (
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
                )}
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

          <Layout.Section>
            <InlineStack align="end">
              <Button variant="primary" submit loading={saving}>
                {t("settings.save")}
              </Button>
            </InlineStack>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
