/**
 * The colours of "Self time": each bar in a heat colour for its share of the largest self time
 * (pale for little, deep red for the most), and a duration label written inside a bar in whichever
 * of white and near-black reads better on it. White alone vanished on the pale bars, which are most
 * of a trace's.
 */

/** The heat colour's hue, saturation and lightness for a share (0–1). */
function heatHsl(share: number): [number, number, number] {
  const s = Math.min(1, Math.max(0, share));
  return [Math.round(48 - 48 * s), Math.round(55 + 35 * s), Math.round(78 - 30 * s)];
}

/** A heat colour for a self-time share: pale for little, deep red for the most. */
export function selfHeatColor(share: number): string {
  const [h, s, l] = heatHsl(share);
  return `hsl(${h} ${s}% ${l}%)`;
}

/** The near-black written on pale bars. */
export const DARK_LABEL = "#111";
const DARK_LABEL_RGB: readonly [number, number, number] = [0x11, 0x11, 0x11];
const WHITE_RGB: readonly [number, number, number] = [255, 255, 255];

/** CSS's hsl() as 0–255 red, green and blue. */
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const sat = s / 100;
  const light = l / 100;
  const a = sat * Math.min(light, 1 - light);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (light - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}

/** WCAG's relative luminance of an sRGB colour. */
function luminance([r, g, b]: readonly [number, number, number]): number {
  const linear = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG's contrast ratio of two sRGB colours (1–21). */
export function contrastRatio(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The heat colour of a share as 0–255 red, green and blue. */
export function selfHeatRgb(share: number): [number, number, number] {
  return hslToRgb(...heatHsl(share));
}

/** The colour of a duration written inside a bar of this share: white on the deep ones, near-black on the pale. */
export function selfHeatLabelColor(share: number): "#fff" | typeof DARK_LABEL {
  const bar = selfHeatRgb(share);
  return contrastRatio(WHITE_RGB, bar) >= contrastRatio(DARK_LABEL_RGB, bar) ? "#fff" : DARK_LABEL;
}
