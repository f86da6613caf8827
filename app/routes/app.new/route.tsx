import { useCallback, useMemo, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigate, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  DropZone,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  RangeSlider,
  Select,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { render, useLocale, useT, type Message } from "~/i18n/index";
import { FormErrors, useFormErrors } from "~/components/FormErrors";
import { refuse } from "~/infra/forms.server";
import { parseGenerationForm, startGeneration } from "~/models/generation.server";
import { getProductForGeneration } from "~/models/products.server";
import { adminApiForSession } from "~/models/admin.server";
import { getSettings } from "~/models/settings.server";
import { availableProviders } from "~/studio";
import { getStudioConfig, presetChoices } from "~/infra/studio-config.server";
import { PresetPicker } from "~/components/PresetPicker";
import { MAX_PHOTOS } from "~/models/constants";
import { parseUploadForm } from "~/infra/request-body.server";
import { GENERATION_UPLOAD } from "~/models/uploads.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const productId = new URL(request.url).searchParams.get("productId");
  const settings = await getSettings(session.shop);
  const providers = availableProviders(getStudioConfig());
  const presets = presetChoices();
  if (!productId) return { product: null, productError: null, settings, providers, presets };
  const product = await getProductForGeneration(adminApiForSession(session), productId);
  return {
    product,
    productError: product ? null : ({ code: "PRODUCT_NOT_IN_STORE" } satisfies Message),
    settings,
    providers,
    presets,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, redirect } = await authenticate.admin(request);
  let upload;
  try {
    upload = await parseUploadForm(request, GENERATION_UPLOAD);
  } catch (refusal) {
    // Returned, not thrown: the page shows the reason beside the photos.
    if (refusal instanceof Response) return refusal;
    throw refusal;
  }
  try {
    const parsed = parseGenerationForm(upload.form);
    if ("errors" in parsed) return refuse(parsed.errors);
    const result = await startGeneration(session, parsed.data);
    if ("errors" in result) return refuse(result.errors, result.status);
    return redirect(`/app/jobs/${result.jobs[0].id}`);
  } finally {
    // Stored uploads have been copied into storage by now; the temporary files can go.
    await upload.cleanup();
  }
}

type Mode = "white" | "lifestyle";

export default function NewGeneration() {
  const { product, productError, settings, providers, presets } = useLoaderData<typeof loader>();
  const errors = useFormErrors(useActionData<typeof action>());
  const t = useT();
  const locale = useLocale();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const submit = useSubmit();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";

  const productImages = product?.images ?? [];
  const [selected, setSelected] = useState<string[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [mode, setMode] = useState<Mode>((settings.defaultMode as Mode) ?? "white");
  const [provider, setProvider] = useState<string>(settings.provider ?? providers[providers.length - 1] ?? "local");
  const { whiteDefaults, lifestyleDefaults } = settings;
  const modeDefaults = mode === "white" ? whiteDefaults : lifestyleDefaults;
  const [size, setSize] = useState(String(modeDefaults.size));
  const [ratio, setRatio] = useState<string>(modeDefaults.ratio);
  const [fill, setFill] = useState(Math.round(whiteDefaults.fill * 100));
  const [shadow, setShadow] = useState(whiteDefaults.shadow);
  const [topView, setTopView] = useState(whiteDefaults.topView);
  const [format, setFormat] = useState<string>(modeDefaults.format);
  const [preset, setPreset] = useState(lifestyleDefaults.preset);
  const [style, setStyle] = useState("");
  const [count, setCount] = useState(String(lifestyleDefaults.count));

  // A newly picked product starts with its first three photos chosen and no uploads (state adjusted while
  // rendering, as React advises for state that follows a prop, rather than in an effect).
  const [shownProductId, setShownProductId] = useState<string | undefined>(undefined);
  if (product?.id !== shownProductId) {
    setShownProductId(product?.id);
    setSelected(productImages.slice(0, 3).map((image) => image.id));
    setFiles([]);
  }

  const total = selected.length + files.length;

  const pickProduct = useCallback(async () => {
    const picked = await shopify.resourcePicker({ type: "product", action: "select", multiple: false });
    const id = picked?.[0]?.id;
    if (id) navigate(`/app/new?productId=${encodeURIComponent(id)}`);
  }, [shopify, navigate]);

  const toggle = (id: string) =>
    setSelected((current) =>
      current.includes(id) ? current.filter((x) => x !== id) : current.length + files.length < MAX_PHOTOS ? [...current, id] : current,
    );

  const onDrop = useCallback(
    (_all: File[], accepted: File[]) => setFiles((current) => [...current, ...accepted].slice(0, MAX_PHOTOS - selected.length)),
    [selected.length],
  );

  const options = useMemo(
    () =>
      mode === "white"
        ? { size: Number(size), ratio, fill: fill / 100, shadow, format, topView }
        : { size: Number(size), ratio, format, preset, style, count: Number(count) },
    [mode, size, ratio, fill, shadow, format, topView, preset, style, count],
  );

  const onGenerate = () => {
    const form = new FormData();
    form.set("productId", product?.id ?? "");
    form.set("mode", mode);
    form.set("provider", provider);
    form.set("options", JSON.stringify(options));
    for (const id of selected) form.append("mediaIds", id);
    for (const file of files) form.append("photos", file, file.name);
    submit(form, { method: "post", encType: "multipart/form-data" });
  };

  const ratios = ["1:1", "4:5", "3:4", "4:3", "2:3", "3:2", "16:9", "9:16"].map((r) => ({ label: r, value: r }));

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
              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between">
                    <Text as="h2" variant="headingMd">
                      {t("new.photos")}
                    </Text>
                    <Text as="span" tone="subdued">
                      {t("new.selectedCount", { count: total })}
                    </Text>
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {t("new.photosHelp")}
                  </Text>
                  {productImages.length === 0 && <Text as="p">{t("new.noPhotos")}</Text>}
                  <InlineGrid columns={{ xs: 2, sm: 3, md: 5 }} gap="300">
                    {productImages.map((image, index) => (
                      <Box
                        key={image.id}
                        padding="200"
                        borderWidth="025"
                        borderRadius="200"
                        borderColor={selected.includes(image.id) ? "border-emphasis" : "border"}
                      >
                        <BlockStack gap="200" inlineAlign="center">
                          <Thumbnail source={image.url} alt={image.alt || `${product.title} ${index + 1}`} size="large" />
                          <Checkbox
                            label={`${t("new.photos")} ${index + 1}`}
                            checked={selected.includes(image.id)}
                            onChange={() => toggle(image.id)}
                          />
                        </BlockStack>
                      </Box>
                    ))}
                  </InlineGrid>
                  <DropZone
                    accept="image/*"
                    type="image"
                    label={t("new.upload")}
                    onDrop={onDrop}
                    disabled={total >= MAX_PHOTOS}
                    error={Boolean(errors.photos)}
                  >
                    {files.length > 0 ? (
                      <Box padding="300">
                        <InlineStack gap="300">
                          {files.map((file) => (
                            <Thumbnail key={file.name} size="large" alt={file.name} source={URL.createObjectURL(file)} />
                          ))}
                        </InlineStack>
                      </Box>
                    ) : (
                      <DropZone.FileUpload actionHint={t("new.uploadHint")} />
                    )}
                  </DropZone>
                </BlockStack>
              </Card>
            )}
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="400">
              <ChoiceList
                title={t("new.mode.label")}
                choices={[
                  { label: t("new.mode.white.label"), value: "white", helpText: t("new.mode.white.help") },
                  { label: t("new.mode.lifestyle.label"), value: "lifestyle", helpText: t("new.mode.lifestyle.help") },
                ]}
                selected={[mode]}
                onChange={(value) => {
                  const next = value[0] as Mode;
                  setMode(next);
                  setRatio(next === "white" ? whiteDefaults.ratio : lifestyleDefaults.ratio);
                }}
              />
              {providers.length > 1 && (
                <Select label="Provider" options={providers.map((p) => ({ label: p, value: p }))} value={provider} onChange={setProvider} />
              )}
              {mode === "white" ? (
                <>
                  <RangeSlider label={t("new.fill")} min={75} max={95} value={fill} onChange={(v) => setFill(Number(v))} output />
                  <Checkbox label={t("new.shadow")} checked={shadow} onChange={setShadow} />
                  <Checkbox label={t("new.topView")} checked={topView} onChange={setTopView} />
                </>
              ) : (
                <>
                  <PresetPicker presets={presets} value={preset} onChange={setPreset} />
                  <Select label={t("new.count")} options={["2", "3"]} value={count} onChange={setCount} />
                  <TextField
                    label={t("new.style")}
                    value={style}
                    onChange={setStyle}
                    multiline={3}
                    maxLength={500}
                    autoComplete="off"
                    error={errors.style}
                  />
                </>
              )}
              <Select label={t("new.ratio")} options={ratios} value={ratio} onChange={setRatio} />
              <TextField
                label={t("new.size")}
                type="number"
                min={1000}
                max={4096}
                value={size}
                onChange={setSize}
                autoComplete="off"
                error={errors.size}
              />
              <Select
                label={t("new.format")}
                options={[
                  { label: "JPEG", value: "jpeg" },
                  { label: "PNG", value: "png" },
                  { label: "WebP", value: "webp" },
                ]}
                value={format}
                onChange={setFormat}
              />
              <Button variant="primary" size="large" onClick={onGenerate} loading={submitting} disabled={!product || total === 0}>
                {t("new.generate")}
              </Button>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
