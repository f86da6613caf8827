import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import type { loader as appLoader } from "~/routes/app";

export default function App() {
  // Screen readers pick their voice from this: the embedded pages follow the admin user's locale.
  const locale = useRouteLoaderData<typeof appLoader>("routes/app")?.locale;
  return (
    <html lang={locale === "zh-TW" ? "zh-Hant-TW" : "en"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
