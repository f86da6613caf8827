import type { ReactNode } from "react";
import { Banner, BlockStack, Text } from "@shopify/polaris";
import { hasMessage, useT, type MessageKey } from "~/i18n/index";
import { useFailureTitle } from "~/hooks/useFailureTitle";

// Why a job or one of its results failed: the failure's title and what to do about it in the merchant's
// language (by its code), then the exact reason the run recorded, and the way out (`children`: Retry).
export function FailureBanner({
  tone,
  code,
  reason,
  children,
}: {
  tone: "critical" | "warning";
  code: string | null;
  reason: string;
  children?: ReactNode;
}) {
  const t = useT();
  const { title, translated } = useFailureTitle()(code, reason);
  return (
    <Banner tone={tone} title={title}>
      <BlockStack gap="200">
        {code && hasMessage(`job.hint.${code}`) && <Text as="p">{t(`job.hint.${code}` as MessageKey)}</Text>}
        {translated && (
          <Text as="p" tone="subdued">
            {t("job.reason", { reason })}
          </Text>
        )}
        {children}
      </BlockStack>
    </Banner>
  );
}
