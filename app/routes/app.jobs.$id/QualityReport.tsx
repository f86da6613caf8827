import { BlockStack, Text } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { BORDER_SHARE, holdReasons, type QualityReport as QualityReportData } from "~/studio/report";

const EDGE_WORDS = {
  top: "job.report.edge.top",
  right: "job.report.edge.right",
  bottom: "job.report.edge.bottom",
  left: "job.report.edge.left",
} as const;

/** The quality checks of one result, in the merchant's words; what holds it back from automatic publishing. */
export function QualityReport({ report, mode }: { report: Partial<QualityReportData>; mode: string }) {
  const t = useT();
  const lines: { text: string; tone: "success" | "critical" | "subdued" }[] = [];
  const percent = (share: number) => (share * 100).toFixed(share === 1 ? 0 : 2);
  const cut = report.subjectTouchesEdge === true;
  const kind = mode === "white" ? "white" : "lifestyle";
  const reasons = holdReasons({ kind, width: 0, height: 0, bytes: 0, format: "", ...report, notes: report.notes ?? [] }, kind);
  if (mode === "white" && report.backgroundPurity !== undefined) {
    const share = percent(report.backgroundPurity);
    lines.push(
      report.backgroundPurity >= 0.999
        ? { text: t("job.report.pureWhite", { share }), tone: "success" }
        : { text: t("job.report.notPureWhite", { share }), tone: "critical" },
    );
  }
  if (mode === "white" && report.borderPurity !== undefined) {
    lines.push({
      text: t("job.report.border", { band: BORDER_SHARE * 100, share: percent(report.borderPurity) }),
      tone: report.borderPurity === 1 ? "success" : cut ? "subdued" : "critical",
    });
  }
  if (mode === "white" && report.fillRatio !== undefined) {
    const fill = (report.fillRatio * 100).toFixed(1);
    const target = Math.round((report.fillTarget ?? 0.85) * 100);
    const off = reasons.includes("fill-off-target");
    lines.push({ text: t(off ? "job.report.fillOff" : "job.report.fillExact", { fill, target }), tone: off ? "critical" : "subdued" });
    if (!cut && report.centred === false) lines.push({ text: t("job.report.notCentred"), tone: "critical" });
  } else if (report.fillRatio !== undefined) {
    lines.push({ text: t("job.report.fill", { fill: Math.round(report.fillRatio * 100) }), tone: "subdued" });
  }
  if (cut) {
    const edges = (report.touchedEdges ?? []).map((edge) => t(EDGE_WORDS[edge])).join(", ");
    lines.push({ text: t("job.report.cutOff", { edges }), tone: "critical" });
  }
  if (report.keptObjects !== undefined) {
    lines.push({ text: t("job.report.kept", { count: report.keptObjects }), tone: "subdued" });
    const dropped = report.droppedObjects ?? 0;
    if (dropped > 0) lines.push({ text: t("job.report.dropped", { count: dropped }), tone: "subdued" });
  }
  if (report.subjectUnclear) lines.push({ text: t("job.report.unclear"), tone: "critical" });
  if (reasons.includes("low-resolution")) {
    lines.push({
      text: t("job.report.lowResolution", {
        width: report.sourceWidth ?? "?",
        height: report.sourceHeight ?? "?",
        product: report.productSourcePx ?? "?",
        upscale: (report.upscale ?? 1).toFixed(1),
      }),
      tone: "critical",
    });
  }
  if (report.fidelityFlag) lines.push({ text: t("job.report.changed"), tone: "critical" });
  else if (report.fidelity !== undefined) lines.push({ text: t("job.report.faithful"), tone: "success" });
  // Reports made before the border was measured cannot say; the gates that ran then decided.
  if (reasons.length > 0 && (kind === "lifestyle" || report.borderPurity !== undefined))
    lines.push({ text: t("job.report.held"), tone: "subdued" });
  return (
    <BlockStack gap="100">
      {lines.map((line) => (
        <Text key={line.text} as="p" tone={line.tone}>
          {line.tone === "success" ? "✓ " : line.tone === "critical" ? "⚠ " : ""}
          {line.text}
        </Text>
      ))}
      {report.notes && report.notes.length > 0 && (
        // How the provider got there, for support and the curious; the lines above are what matters.
        <details>
          <summary style={{ cursor: "pointer" }}>
            <Text as="span" tone="subdued" variant="bodySm">
              {t("job.report.details")}
            </Text>
          </summary>
          {report.notes.map((note) => (
            <Text key={note} as="p" tone="subdued" variant="bodySm">
              {note}
            </Text>
          ))}
        </details>
      )}
    </BlockStack>
  );
}
