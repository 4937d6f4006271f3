import { useEffect, useState } from "preact/hooks";
import { parseColor, type Rgb } from "./heatmap-model";

/** The app's colours as a canvas needs them: resolved values, not `var(--…)` or `light-dark(…)`. */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  bg: string;
  accent: string;
  /** Failures (the latency chart's failing traces). */
  error: string;
  palette: string[];
  heatLow: Rgb;
  heatHigh: Rgb;
  /** The font the page uses, for axis labels. */
  font: string;
}

const PALETTE_SIZE = 10;

/**
 * Reads CSS variables through probe elements, so `light-dark()` resolves to the theme in force: one probe
 * per variable, all in the page at once, so the styles are computed once.
 */
function readTheme(): ChartTheme {
  const names = ["--text", "--text-muted", "--border", "--bg", "--accent", "--error", "--heat-low", "--heat-high"];
  for (let i = 1; i <= PALETTE_SIZE; i++) names.push(`--chart-${i}`);
  const holder = document.createElement("div");
  holder.hidden = true;
  const probes = names.map((name) => {
    const probe = document.createElement("span");
    probe.style.color = `var(${name})`;
    holder.appendChild(probe);
    return probe;
  });
  document.body.appendChild(holder);
  const colors = new Map(names.map((name, i) => [name, getComputedStyle(probes[i] as HTMLElement).color]));
  holder.remove();
  const color = (name: string) => colors.get(name) ?? "";
  return {
    text: color("--text"),
    muted: color("--text-muted"),
    grid: color("--border"),
    bg: color("--bg"),
    accent: color("--accent"),
    error: color("--error"),
    palette: names.filter((n) => n.startsWith("--chart-")).map(color),
    heatLow: parseColor(color("--heat-low")) ?? [230, 235, 255],
    heatHigh: parseColor(color("--heat-high")) ?? [60, 50, 200],
    font: getComputedStyle(document.body).fontFamily,
  };
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
