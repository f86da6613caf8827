import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireDemoMode, demoAppUrl } from "~/demo/demo.server";

// The entry of demo mode: opens the embedded app as the admin would, for the emulator's demo store.
export async function loader({ request }: LoaderFunctionArgs) {
  requireDemoMode();
  const locale = new URL(request.url).searchParams.get("locale") ?? "en";
  throw redirect(demoAppUrl(locale));
}
