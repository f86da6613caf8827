import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, Page } from "@shopify/polaris";
import { useT, type MessageKey } from "~/i18n/index";

// A page's error inside the app's frame (nav, Polaris) instead of a bare error document: "not found"
// in the merchant's words for an id that is not theirs, anything else with a way back.
export function RouteError({ notFound }: { notFound: MessageKey }) {
  const error = useRouteError();
  const t = useT();
  const missing = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page title={t(missing ? notFound : "error.title")} backAction={{ content: t("nav.home"), url: "/app" }}>
      <Banner tone={missing ? "warning" : "critical"} action={{ content: t("nav.home"), url: "/app" }}>
        <p>{t(missing ? "error.notFound.body" : "error.body")}</p>
      </Banner>
    </Page>
  );
}
