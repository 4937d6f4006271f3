import { useEffect, useState } from "preact/hooks";
import { parseColor, type Rgb } from "./heatmap-model";

/** The app's colours as a canvas needs them: resolved values, not `var(--…)` or `light-dark(…)`. */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  bg: string;
  accent: string;
  palette: string[];
  heatLow: Rgb;
  heatHigh: Rgb;
  /** The font the page uses, for axis labels. */
  font: string;
}

const PALETTE_SIZE = 10;

/** Reads CSS variables through a probe element, so `light-dark()` resolves to the theme in force. */
function readTheme(): ChartTheme {
  const probe = document.createElement("span");
  probe.hidden = true;
  document.body.appendChild(probe);
  const resolve = (variable: string) => {
    probe.style.color = `var(${variable})`;
    return getComputedStyle(probe).color;
  };
  const palette: string[] = [];
  for (let i = 1; i <= PALETTE_SIZE; i++) palette.push(resolve(`--chart-${i}`));
  const theme: ChartTheme = {
    text: resolve("--text"),
    muted: resolve("--text-muted"),
    grid: resolve("--border"),
    bg: resolve("--bg"),
    accent: resolve("--accent"),
    palette,
    heatLow: parseColor(resolve("--heat-low")) ?? [230, 235, 255],
    heatHigh: parseColor(resolve("--heat-high")) ?? [60, 50, 200],
    font: getComputedStyle(document.body).fontFamily,
  };
  probe.remove();
  return theme;
}

/** The chart colours of the theme in force, read again when the theme (picked or the system's) changes. */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    const update = () => setTheme(readTheme());
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    const media = matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", update);
    return () => {
      observer.disconnect();
      media.removeEventListener("change", update);
    };
  }, []);
  return theme;
}
