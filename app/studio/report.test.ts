import { describe, expect, it } from "vitest";
import { holdReasons, type QualityReport } from "./report";

const compliant: QualityReport = {
  kind: "white",
  width: 2048,
  height: 2048,
  bytes: 1,
  format: "jpeg",
  backgroundPurity: 1,
  borderPurity: 1,
  fillRatio: 0.852,
  fillTarget: 0.85,
  centred: true,
  subjectTouchesEdge: false,
  keptObjects: 1,
  productSourcePx: 2400,
  upscale: 0.7,
  fidelity: 1,
  fidelityFlag: false,
  notes: [],
};

describe("holdReasons", () => {
  it("lets a compliant white-background output be published automatically", () => {
    expect(holdReasons(compliant, "white")).toEqual([]);
  });

  it("holds an output for each check an outside checker would fail, naming each", () => {
    expect(holdReasons({ ...compliant, backgroundPurity: 0.99 }, "white")).toEqual(["background-not-white"]);
    expect(holdReasons({ ...compliant, borderPurity: 0.9995 }, "white")).toEqual(["border-not-white"]);
    expect(holdReasons({ ...compliant, fillRatio: 0.93 }, "white")).toEqual(["fill-off-target"]);
    expect(holdReasons({ ...compliant, centred: false }, "white")).toEqual(["not-centred"]);
    expect(holdReasons({ ...compliant, subjectUnclear: true }, "white")).toEqual(["subject-unclear"]);
    expect(holdReasons({ ...compliant, fidelityFlag: true }, "white")).toEqual(["product-changed"]);
  });

  it("holds a cut-off product with that reason alone, since its border and fill follow from the cut", () => {
    const cut = {
      ...compliant,
      subjectTouchesEdge: true,
      touchedEdges: ["bottom" as const],
      borderPurity: 0.8,
      fillRatio: 0.9,
      centred: false,
    };
    expect(holdReasons(cut, "white")).toEqual(["subject-cut-off"]);
  });

  it("flags a photo too small for the output: enlarged more than 2x, or a product under 1000 px in its photo", () => {
    expect(holdReasons({ ...compliant, upscale: 6.8, productSourcePx: 255 }, "white")).toEqual(["low-resolution"]);
    expect(holdReasons({ ...compliant, upscale: 1.9, productSourcePx: 900 }, "white")).toEqual(["low-resolution"]);
    expect(holdReasons({ ...compliant, upscale: 2.1, productSourcePx: 1200 }, "white")).toEqual(["low-resolution"]);
  });

  it("judges lifestyle outputs on the subject and the source, not on white-background rules", () => {
    const lifestyle: QualityReport = {
      kind: "lifestyle",
      width: 1600,
      height: 2000,
      bytes: 1,
      format: "jpeg",
      notes: [],
      keptObjects: 1,
      upscale: 1,
    };
    expect(holdReasons(lifestyle, "lifestyle")).toEqual([]);
    expect(holdReasons({ ...lifestyle, subjectTouchesEdge: true }, "lifestyle")).toEqual(["subject-cut-off"]);
  });
});
