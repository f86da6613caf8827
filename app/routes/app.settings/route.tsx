import { useEffect } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Button, InlineStack, Layout, Page } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { readForm } from "~/infra/request-body.server";
import { authenticate } from "~/shopify.server";
import { useT } from "~/i18n/index";
import { altTextTemplateFor, shopLanguage } from "~/shopify/alt-text";
import { adminApiForSession } from "~/models/admin.server";
import { readShopPrimaryLocale } from "~/shopify/shop-locale.server";
import { getSettings, listProviderStatus } from "~/models/settings.server";
import { economyUnavailable } from "~/models/google-batches.server";
import { getUsage } from "~/models/usage.server";
import { availableProviders, RATIOS } from "~/studio";
import { getStudioConfig, presetChoices } from "~/infra/studio-config.server";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { saveSettings } from "./actions.server";
import { DefaultsSection } from "./DefaultsSection";
import { WhiteDefaultsSection } from "./WhiteDefaultsSection";
import { LifestyleDefaultsSection } from "./LifestyleDefaultsSection";
import { PublishingSection } from "./PublishingSection";
import { LimitsSection } from "./LimitsSection";
import { ProvidersSection } from "./ProvidersSection";

// The shop's settings: one form of six sections, each in its own file beside this one and each keeping
// its own fields' state; the form posts every field by name, and actions.server.ts saves them.

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
  return saveSettings({ shop: session.shop, form: await readForm(request) });
}

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = useFormErrors(actionData);
  const t = useT();
  const shopify = useAppBridge();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting";

  // App Bridge's `shopify` may only be read in the browser (on the server its properties throw), so the
  // toast is reached inside the effect.
  useEffect(() => {
    if (actionData && "saved" in actionData) shopify.toast.show(t("settings.saved"));
  }, [actionData, shopify, t]);

  return (
    <Page title={t("settings.title")} backAction={{ content: t("nav.home"), url: "/app" }}>
      <Form method="post">
        <Layout>
          {Object.keys(errors).length > 0 && (
            <Layout.Section>
              <FormErrors title={t("settings.notSaved")} errors={errors.form ? { form: errors.form } : {}} always />
            </Layout.Section>
          )}
          <DefaultsSection settings={data.settings} providers={data.providers} errors={errors} />
          <WhiteDefaultsSection options={data.settings.whiteOptions} ratios={data.ratios} errors={errors} />
          <LifestyleDefaultsSection options={data.settings.lifestyleOptions} presets={data.presets} ratios={data.ratios} errors={errors} />
          <PublishingSection settings={data.settings} altTextLanguage={data.altTextLanguage} errors={errors} />
          <LimitsSection settings={data.settings} usage={data.usage} economyAvailable={data.economyAvailable} errors={errors} />
          <ProvidersSection providerStatus={data.providerStatus} />
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
