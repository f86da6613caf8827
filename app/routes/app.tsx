import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisZhTW from "@shopify/polaris/locales/zh-TW.json";
import { authenticate } from "~/shopify.server";
import { env } from "~/infra/env.server";
import { LocaleContext, resolveLocale, translate } from "~/i18n/index";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: translate(data?.locale ?? "en", "home.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  const locale = resolveLocale(new URL(request.url).searchParams.get("locale"));
  return {
    apiKey: env.SHOPIFY_API_KEY,
    appBridgeUrl: env.APP_BRIDGE_URL,
    locale,
  };
}

// The admin gives the locale on the first document load only; keep it for client-side navigation.
export const shouldRevalidate: ShouldRevalidateFunction = () => false;

export default function App() {
  const { apiKey, appBridgeUrl, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider
      isEmbeddedApp
      apiKey={apiKey}
      i18n={locale === "zh-TW" ? polarisZhTW : polarisEn}
      {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}
    >
      <LocaleContext.Provider value={locale}>
        <NavMenu>
          <Link to="/app" rel="home">
            {translate(locale, "nav.home")}
          </Link>
          <Link to="/app/new">{translate(locale, "nav.new")}</Link>
          <Link to="/app/billing">{translate(locale, "nav.billing")}</Link>
          <Link to="/app/settings">{translate(locale, "nav.settings")}</Link>
        </NavMenu>
        <Outlet />
      </LocaleContext.Provider>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
