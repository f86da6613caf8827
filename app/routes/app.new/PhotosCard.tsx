import { useCallback } from "react";
import { BlockStack, Box, Card, Checkbox, DropZone, InlineGrid, InlineStack, Text, Thumbnail } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { MAX_PHOTOS } from "~/models/constants";
import type { NewGenerationData } from "./types";

type Product = NonNullable<NewGenerationData["product"]>;

// The photos a generation starts from: the product's own (chosen by checkbox) and uploads, at most
// MAX_PHOTOS together. The choice is the page's state; this card shows it and changes it.
export function PhotosCard({
  product,
  selected,
  onSelectedChange,
  files,
  onFilesChange,
  error,
}: {
  product: Product;
  selected: string[];
  onSelectedChange: (ids: string[]) => void;
  files: File[];
  onFilesChange: (files: File[]) => void;
  /** The refusal of the photos, if the last attempt was refused for them. */
  error?: string;
}) {
  const t = useT();
  const total = selected.length + files.length;

  const toggle = (id: string) =>
    onSelectedChange(
      selected.includes(id) ? selected.filter((x) => x !== id) : selected.length + files.length < MAX_PHOTOS ? [...selected, id] : selected,
    );

  const onDrop = useCallback(
    (_all: File[], accepted: File[]) => onFilesChange([...files, ...accepted].slice(0, MAX_PHOTOS - selected.length)),
    [files, onFilesChange, selected.length],
  );

  return (
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
        {product.images.length === 0 && <Text as="p">{t("new.noPhotos")}</Text>}
        <InlineGrid columns={{ xs: 2, sm: 3, md: 5 }} gap="300">
          {product.images.map((image, index) => (
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
          error={Boolean(error)}
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
  );
}
