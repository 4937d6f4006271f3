import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

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
