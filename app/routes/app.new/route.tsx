import { useCallback, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigate, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { render, useLocale, useT, type Message } from "~/i18n/index";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { getProductForGeneration } from "~/models/products.server";
import { adminApiForSession } from "~/models/admin.server";
import { getSettings } from "~/models/settings.server";
import { availableProviders, RATIOS } from "~/studio";
import { getStudioConfig, presetChoices } from "~/infra/studio-config.server";
import { generate } from "./actions.server";
import { OptionsCard } from "./OptionsCard";
import { PhotosCard } from "./PhotosCard";
import type { GenerationOptions, Mode } from "./types";

// A new generation for one product: pick the product, choose its photos or upload some (PhotosCard),
// choose what to make (OptionsCard), and Generate, which posts one multipart form and opens the job.

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const productId = new URL(request.url).searchParams.get("productId");
  const settings = await getSettings(session.shop);
  const choices = { settings, providers: availableProviders(getStudioConfig()), presets: presetChoices(), ratios: [...RATIOS] };
  if (!productId) return { product: null, productError: null, ...choices };
  const product = await getProductForGeneration(adminApiForSession(session), productId);
  return { product, productError: product ? null : ({ code: "PRODUCT_NOT_IN_STORE" } satisfies Message), ...choices };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, redirect } = await authenticate.admin(request);
  return generate({ request, session, redirect });
}

export default function NewGeneration() {
  const { product, productError, settings, providers, presets, ratios } = useLoaderData<typeof loader>();
  const errors = useFormErrors(useActionData<typeof action>());
  const t = useT();
  const locale = useLocale();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const submit = useSubmit();
  const submitting = useNavigation().state === "submitting";

  const [selected, setSelected] = useState<string[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  // A newly picked product starts with its first three photos chosen and no uploads (state adjusted while
  // rendering, as React advises for state that follows a prop, rather than in an effect).
  const [shownProductId, setShownProductId] = useState<string | undefined>(undefined);
  if (product?.id !== shownProductId) {
    setShownProductId(product?.id);
    setSelected((product?.images ?? []).slice(0, 3).map((image) => image.id));
    setFiles([]);
  }

  const pickProduct = useCallback(async () => {
    const picked = await shopify.resourcePicker({ type: "product", action: "select", multiple: false });
    const id = picked?.[0]?.id;
    if (id) navigate(`/app/new?productId=${encodeURIComponent(id)}`);
  }, [shopify, navigate]);

  const onGenerate = ({ mode, provider, options }: { mode: Mode; provider: string; options: GenerationOptions }) => {
    const form = new FormData();
    form.set("productId", product?.id ?? "");
    form.set("mode", mode);
    form.set("provider", provider);
    form.set("options", JSON.stringify(options));
    for (const id of selected) form.append("mediaIds", id);
    for (const file of files) form.append("photos", file, file.name);
    submit(form, { method: "post", encType: "multipart/form-data" });
  };

  return (
    <Page title={t("new.title")} backAction={{ content: t("nav.home"), url: "/app" }}>
      <Layout>
        {Object.keys(errors).length > 0 && (
          <Layout.Section>
            <FormErrors title={t("new.notStarted")} errors={errors} />
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("new.product")}
                  </Text>
                  <Button onClick={pickProduct}>{product ? t("new.changeProduct") : t("new.selectProduct")}</Button>
                </InlineStack>
                {productError && <Banner tone="critical">{render(locale, productError)}</Banner>}
                {product ? (
                  <Text as="p" variant="headingLg">
                    {product.title}
                  </Text>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("new.noProduct")}
                  </Text>
                )}
              </BlockStack>
            </Card>
            {product && (
              <PhotosCard
                product={product}
                selected={selected}
                onSelectedChange={setSelected}
                files={files}
                onFilesChange={setFiles}
                error={errors.photos}
              />
            )}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <OptionsCard
            settings={settings}
            providers={providers}
            presets={presets}
            ratios={ratios}
            errors={errors}
            disabled={!product || selected.length + files.length === 0}
            submitting={submitting}
            onGenerate={onGenerate}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
