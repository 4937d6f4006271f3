import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { showBidiControls } from "../../lib/bidi-controls";
import "./chart-tooltip.css";
import { loadedUPlot, loadUPlot } from "./uplot-loader";

export interface UPlotChartProps {
  /** New options (a new object) rebuild the chart; keep them memoized. */
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  height: number;
  /** The x range the chart shows when not zoomed (what its x scale's range function answers). */
  autoRange(): [number, number];
  /** Per line (series after x): false hides it. */
  visible?: readonly boolean[];
  /** The chart as built (and null when it goes), for overlays and linked charts. */
  onChart?(u: uPlot | null): void;
  /** The x scale changed: `zoomed` says whether it is narrower than the auto range. */
  onZoom?(min: number, max: number, zoomed: boolean): void;
  /** A double-click on the plot (after uPlot's own, which zooms out to the whole range). */
  onDoubleClick?(): void;
  class?: string;
  label: string;
}

function isZoomed(u: uPlot, auto: [number, number]): boolean {
  const { min, max } = u.scales.x ?? {};
  if (min === undefined || max === undefined) return false;
  const tolerance = Math.max(1e-9, (auto[1] - auto[0]) * 1e-9);
  return Math.abs(min - auto[0]) > tolerance || Math.abs(max - auto[1]) > tolerance;
}

type UPlotClass = typeof uPlot;

/**
 * uPlot, fetched the first time a chart is shown (pages without a chart never load it); the server
 * preloads it for the pages that open with one. Null until it is there, or the reason it failed.
 */
function useUPlot(): UPlotClass | string | null {
  const [loaded, setLoaded] = useState<UPlotClass | string | null>(loadedUPlot);
  useEffect(() => {
    if (loaded !== null) return;
    let mounted = true;
    loadUPlot().then(
      (UPlot) => mounted && setLoaded(() => UPlot),
      () =>
        mounted &&
        setLoaded("The chart could not be loaded: tracekit-local may have been stopped or updated. Reload the page."),
    );
    return () => {
      mounted = false;
    };
  }, []);
  return loaded;
}

/**
 * One uPlot chart in a Preact tree: built when its options change (keeping the zoom), fed new data in
 * place (keeping the zoom, and the lines the reader hid), resized with its box, destroyed on unmount.
 */
export function UPlotChart(props: UPlotChartProps) {
  const box = useRef<HTMLElement>(null);
  const chart = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const shownData = useRef<uPlot.AlignedData | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const UPlot = useUPlot();

  // The x range a chart being rebuilt had zoomed into, for the chart that replaces it.
  const keptZoom = useRef<{ min: number; max: number } | null>(null);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element || UPlot === null || typeof UPlot === "string") return;
    const zoomHook = (u: uPlot) => {
      zoomed.current = isZoomed(u, latest.current.autoRange());
      const { min, max } = u.scales.x ?? {};
      if (min !== undefined && max !== undefined) latest.current.onZoom?.(min, max, zoomed.current);
    };
    const visible = latest.current.visible;
    const options: uPlot.Options = {
      ...props.options,
      // Hidden lines start hidden: toggling them after the build would draw the chart twice.
      series: props.options.series.map((s, i) => (i === 0 || !visible ? s : { ...s, show: visible[i - 1] ?? true })),
      width: Math.max(100, element.clientWidth),
      height: props.height,
      hooks: { ...props.options.hooks, setScale: [...(props.options.hooks?.setScale ?? []), zoomHook] },
    };
    const u = new UPlot(options, latest.current.data, element);
    u.over.addEventListener("dblclick", () => latest.current.onDoubleClick?.());
    shownData.current = latest.current.data;
    chart.current = u;
    const keep = keptZoom.current;
    keptZoom.current = null;
    if (keep) u.setScale("x", keep);
    latest.current.onChart?.(u);
    // Destroyed by the cleanup of the effect that built it, on a rebuild and on unmount alike. A chart
    // left standing stays in its cursor-sync group: a drag on another chart zooms it too, and it then
    // reports that zoom with the callbacks of the page it was built for (an older grouping, say). An
    // unmount's passive-effect cleanup alone missed a chart whose component went before its effects ran.
    return () => {
      const { min, max } = u.scales.x ?? {};
      keptZoom.current = zoomed.current && min !== undefined && max !== undefined ? { min, max } : null;
      u.destroy();
      if (chart.current === u) chart.current = null;
    };
  }, [UPlot, props.options, props.height]);

  useEffect(
    () => () => {
      latest.current.onChart?.(null);
    },
    [],
  );

  useEffect(() => {
    const u = chart.current;
    if (!u || shownData.current === props.data) return;
    shownData.current = props.data;
    u.setData(props.data, !zoomed.current);
  }, [props.data]);

  useEffect(() => {
    if (chart.current) applyVisibility(chart.current, props.visible);
  }, [props.visible]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      const u = chart.current;
      const width = Math.max(100, element.clientWidth);
      if (u && u.width !== width) u.setSize({ width, height: latest.current.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  return (
    <figure ref={box} class={`uplot-box ${props.class ?? ""}`} aria-label={showBidiControls(props.label)}>
      {typeof UPlot === "string" && (
        <p class="error-banner" role="alert">
          {UPlot}
        </p>
      )}
    </figure>
  );
}

/** Shows and hides lines as `visible` says, in one redraw, and not at all when nothing changes. */
function applyVisibility(u: uPlot, visible: readonly boolean[] | undefined): void {
  if (!visible) return;
  const changes: [number, boolean][] = [];
  for (let i = 1; i < u.series.length; i++) {
    const show = visible[i - 1] ?? true;
    if ((u.series[i] as uPlot.Series).show !== show) changes.push([i, show]);
  }
  if (changes.length === 0) return;
  u.batch(() => {
    for (const [i, show] of changes) u.setSeries(i, { show });
  });
}
