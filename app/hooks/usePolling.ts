import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";

/**
 * Live progress without a manual reload: while `active`, the page's loaders run again every `intervalMs`,
 * unless a revalidation is already under way or the tab is hidden.
 */
export function usePolling(active: boolean, intervalMs = 1000): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, revalidator]);
}
