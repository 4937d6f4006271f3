import { describe, expect, it } from "vitest";
import {
  contrastRatio,
  DARK_LABEL,
  hslToRgb,
  selfHeatColor,
  selfHeatLabelColor,
  selfHeatRgb,
} from "../../web/src/features/trace-view/self-heat";

const rgbOf = (color: string): [number, number, number] => (color === "#fff" ? [255, 255, 255] : [0x11, 0x11, 0x11]);

describe("self-time heat colours", () => {
  it("run from pale for little self time to the deep red of the most", () => {
    expect(selfHeatColor(0)).toBe("hsl(48 55% 78%)");
    expect(selfHeatColor(1)).toBe("hsl(0 90% 48%)");
    // What the browser paints for the deepest one (the trace-zoom browser test reads it back).
    expect(selfHeatRgb(1)).toEqual([233, 12, 12]);
    expect(hslToRgb(210, 100, 50)).toEqual([0, 128, 255]);
  });

  it("write a duration inside a bar in a colour that reads on it, whatever its share", () => {
    for (let i = 0; i <= 100; i++) {
      const share = i / 100;
      const label = selfHeatLabelColor(share);
      // White on the pale bars was about 1.5:1. The saturated reds near the top are as far from white
      // as from black (about 4.4:1 either way; the label's shadow adds to it on those); the rest reach AA.
      const ratio = contrastRatio(rgbOf(label), selfHeatRgb(share));
      expect(ratio, `share ${share}`).toBeGreaterThanOrEqual(share < 0.75 ? 4.5 : 4.3);
    }
    expect(selfHeatLabelColor(0)).toBe(DARK_LABEL);
    expect(selfHeatLabelColor(0.3)).toBe(DARK_LABEL);
  });
});
