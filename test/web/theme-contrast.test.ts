import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bucketColor, HEATMAP_CAPTION, parseColor, type Rgb } from "../../web/src/features/metrics/heatmap-model";

// The theme's text colours against the backgrounds text sits on, in both themes: WCAG AA asks 4.5:1
// for normal text. Faint text is still text (table headers, figure labels, hints), and the app is
// shown on projectors, where low contrast washes out first.
const css = readFileSync(new URL("../../web/src/styles.css", import.meta.url), "utf8");

/** `--name: light-dark(#light, #dark)` of the theme's :root block. */
function themeColor(name: string): { light: string; dark: string } {
  const match = new RegExp(`--${name}: light-dark\\((#[0-9a-f]{6}), (#[0-9a-f]{6})\\);`, "i").exec(css);
  if (match === null) throw new Error(`--${name} is not a light-dark pair of hex colours in styles.css`);
  return { light: match[1] as string, dark: match[2] as string };
}

function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

describe("theme text contrast", () => {
  it("measures as WCAG does", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  for (const text of ["text", "text-muted", "text-faint"]) {
    for (const background of ["bg", "bg-alt"]) {
      for (const theme of ["light", "dark"] as const) {
        it(`--${text} on --${background} reads at 4.5:1 or more (${theme})`, () => {
          expect(contrast(themeColor(text)[theme], themeColor(background)[theme])).toBeGreaterThanOrEqual(4.5);
        });
      }
    }
  }

  it("keeps faint text lighter than muted text, and muted lighter than text (light theme)", () => {
    const [text, muted, faint] = ["text", "text-muted", "text-faint"].map((name) => luminance(themeColor(name).light));
    expect(faint).toBeGreaterThan(muted as number);
    expect(muted).toBeGreaterThan(text as number);
  });
});

describe("heatmap colours", () => {
  const rgbHex = (rgb: string) => `#${(parseColor(rgb) as Rgb).map((c) => c.toString(16).padStart(2, "0")).join("")}`;

  for (const theme of ["light", "dark"] as const) {
    it(`draw a cell further from the background the more values it holds, as the caption says (${theme})`, () => {
      const low = parseColor(themeColor("heat-low")[theme]) as Rgb;
      const high = parseColor(themeColor("heat-high")[theme]) as Rgb;
      for (const background of ["bg", "bg-alt"]) {
        const page = themeColor(background)[theme];
        const standOut = [1, 2, 5, 20, 100].map((count) =>
          contrast(rgbHex(bucketColor(count, 100, low, high) as string), page),
        );
        expect(standOut).toEqual([...standOut].sort((a, b) => a - b));
        expect(new Set(standOut).size).toBe(standOut.length);
      }
    });
  }

  it("have a caption true in both themes: the fullest cells are darker in one and lighter in the other", () => {
    const [low, high] = [themeColor("heat-low"), themeColor("heat-high")];
    expect(luminance(high.light)).toBeLessThan(luminance(low.light));
    expect(luminance(high.dark)).toBeGreaterThan(luminance(low.dark));
    expect(HEATMAP_CAPTION).not.toMatch(/dark|light|pale|bright/i);
    expect(HEATMAP_CAPTION).toMatch(/stand out more the more values/);
  });
});
