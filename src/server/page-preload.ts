import { distributionStat, type MetricChart } from "../domain/metric.js";

/** One chunk of Vite's build manifest (`dist/web/.vite/manifest.json`): the fields read here. */
export interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  /** Manifest keys of the chunks this one imports statically. */
  imports?: string[];
  css?: string[];
}

export type BuildManifest = Record<string, ManifestChunk>;

const UPLOT = "src/features/metrics/uplot.ts";

/**
 * The pages whose code the web app fetches when they are first opened (`web/src/app.tsx`), by the
 * paths they answer, with the modules (manifest keys) each one opens with: its page and, for pages
 * that open with a chart, the chart library. The trace list is in the app's own chunk.
 */
export const PAGE_MODULES: readonly { path: RegExp; modules: readonly string[] }[] = [
  { path: /^\/$/, modules: [UPLOT] },
  { path: /^\/traces\/[^/]+$/, modules: ["src/features/trace-view/TraceViewPage.tsx"] },
  { path: /^\/compare$/, modules: ["src/features/compare/ComparePage.tsx"] },
  { path: /^\/errors$/, modules: ["src/features/errors/ErrorsPage.tsx"] },
  { path: /^\/logs$/, modules: ["src/features/logs/LogsPage.tsx"] },
  { path: /^\/services$/, modules: ["src/features/services/ServicesPage.tsx"] },
  { path: /^\/map$/, modules: ["src/features/map/MapPage.tsx"] },
  { path: /^\/snapshots$/, modules: ["src/features/snapshots/SnapshotsPage.tsx"] },
  { path: /^\/snapshots\/[^/]+$/, modules: ["src/features/snapshots/SnapshotPage.tsx"] },
  { path: /^\/metrics$/, modules: ["src/features/metrics/MetricsPage.tsx", UPLOT] },
  { path: /^\/llm$/, modules: ["src/features/llm/LlmPage.tsx"] },
];

/**
 * Chunks that import nothing and that the page will run anyway, run as soon as they arrive rather than
 * when the app asks for them: uPlot's first run sets up the browser's number and date formatting
 * (20-40 ms in a fresh page), which then happens while the page still waits for the app's own code.
 */
const RUN_ON_ARRIVAL: ReadonlySet<string> = new Set([UPLOT]);

/** Every chunk `keys` need, themselves included, in import order (depth first). */
function closure(manifest: BuildManifest, keys: readonly string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (seen.has(key) || manifest[key] === undefined) continue;
    seen.add(key);
    closure(manifest, manifest[key]?.imports ?? [], seen);
  }
  return seen;
}

/**
 * The `<link>` tags that let a cold navigation fetch the page's own chunks and styles beside the
 * app's (instead of after it has started and asked for them): what the page's modules need beyond
 * what the entry loads anyway. Empty for an unknown module (a stale table is caught by its test).
 */
export function pagePreloadLinks(manifest: BuildManifest, modules: readonly string[]): string {
  const entryKeys = Object.keys(manifest).filter((key) => manifest[key]?.isEntry === true);
  const loaded = closure(manifest, entryKeys);
  const loadedCss = new Set([...loaded].flatMap((key) => manifest[key]?.css ?? []));
  const links: string[] = [];
  const styles = new Set<string>();
  for (const key of closure(manifest, modules)) {
    if (loaded.has(key)) continue;
    const chunk = manifest[key] as ManifestChunk;
    links.push(
      RUN_ON_ARRIVAL.has(key) && (chunk.imports ?? []).length === 0
        ? `<script type="module" async crossorigin src="/${chunk.file}"></script>`
        : `<link rel="modulepreload" crossorigin href="/${chunk.file}">`,
    );
    for (const css of chunk.css ?? []) if (!loadedCss.has(css)) styles.add(css);
  }
  // Styles as stylesheets: the app waits for them before it shows the page anyway.
  for (const css of styles) links.push(`<link rel="stylesheet" crossorigin href="/${css}">`);
  return links.join("");
}

/** The preload links for each path pattern of `PAGE_MODULES`, worked out once from the manifest. */
export function pagePreloads(manifest: BuildManifest): { path: RegExp; links: string }[] {
  return PAGE_MODULES.map(({ path, modules }) => ({ path, links: pagePreloadLinks(manifest, modules) })).filter(
    (page) => page.links !== "",
  );
}

const TRACE_PAGE = /^\/traces\/([0-9a-fA-F]{32})$/;

/** The Metrics page's window presets and charts (`web/src/features/metrics/metrics-url.ts`). */
const METRIC_WINDOWS: readonly string[] = ["5m", "15m", "1h", "6h"];
const DEFAULT_METRIC_WINDOW = "15m";
const METRIC_CHARTS: readonly MetricChart[] = ["rate", "value", "distribution", "quantiles"];

function pageText(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key)?.trim();
  return value ? value : undefined;
}

function pageMillis(params: URLSearchParams, key: string): number | undefined {
  const value = params.get(key);
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The series request a `/metrics?metric=…` page makes first, read from the page's address as the app
 * reads it (`metricsStateFromSearch`, then `metricQuerySearch`), or null when the page shows no metric.
 */
export function metricSeriesPath(params: URLSearchParams): string | null {
  const metric = pageText(params, "metric");
  if (metric === undefined) return null;
  const from = pageMillis(params, "from");
  const to = pageMillis(params, "to");
  const window = params.get("window") ?? "";
  const query =
    from !== undefined && to !== undefined && from < to
      ? new URLSearchParams({ since: String(from), until: String(to) })
      : new URLSearchParams({ window: METRIC_WINDOWS.includes(window) ? window : DEFAULT_METRIC_WINDOW });
  for (const key of ["service", "groupBy"]) {
    const value = pageText(params, key);
    if (value !== undefined) query.set(key, value);
  }
  const chart = params.get("chart");
  if (chart !== null && (METRIC_CHARTS as readonly string[]).includes(chart)) query.set("chart", chart);
  query.set("stat", distributionStat(params.get("stat")));
  return `/api/metrics/${encodeURIComponent(metric)}?${query.toString()}`;
}

/** The map page's time windows (`web/src/components/TimeWindowSelect.tsx`); any other `window` reads as everything. */
const MAP_WINDOWS: readonly string[] = ["15m", "1h", "6h", "24h"];

/**
 * The request a `/map` page makes first: over everything stored, laid out, as the app asks for it
 * (`mapQueryParams`). A window starts at the browser's now, which the server cannot name ahead: null.
 */
export function serviceMapPath(params: URLSearchParams): string | null {
  return MAP_WINDOWS.includes(params.get("window") ?? "") ? null : "/api/service-map?layout=1";
}

/** `value` inside a double-quoted HTML attribute. */
function attribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
}

/**
 * A preload hint for the data the page at `path` asks for first, exactly as the app will request it
 * (so the browser hands that request the response it is already fetching): the trace of a
 * `/traces/<id>` page, the series of a `/metrics?metric=…` page, the map of a `/map` page. Null for
 * other pages.
 */
export function dataPreloadLink(
  path: string,
  params: URLSearchParams,
  metricStored: (name: string) => boolean = () => true,
): string | null {
  const traceId = TRACE_PAGE.exec(path)?.[1];
  const metric = path === "/metrics" ? params.get("metric") : null;
  const href =
    traceId !== undefined
      ? `/api/traces/${traceId}?missing=null&form=compact1`
      : path === "/metrics"
        ? metric === null || metricStored(metric)
          ? metricSeriesPath(params)
          : null
        : path === "/map"
          ? serviceMapPath(params)
          : null;
  return href === null ? null : `<link rel="preload" href="${attribute(href)}" as="fetch" crossorigin="anonymous">`;
}
