import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type {
  ExpiredMetricJson,
  MetricCatalogEntryJson,
  MetricChart,
  MetricQueryResponse,
} from "../../../../src/protocol";
import { UserText, withBidiMarks } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatRelative, nanosToMillis } from "../../lib/format";
import { serviceColors } from "../../lib/service-color";
import { useNow } from "../../lib/use-now";
import { useServiceColorsVersion } from "../../lib/use-service-colors";
import { ChartLegend } from "./ChartLegend";
import {
  chartLabel,
  kindLabel,
  kindTitle,
  lastPointNanos,
  metricHeaderFacts,
  tracekitReading,
  unitBadge,
} from "./catalog-model";
import { emptyWindowOf } from "./empty-window";
import { expiredReason } from "./expired-metrics";
import { HeatmapChart } from "./HeatmapChart";
import { type HiddenInUrl, hiddenKeys, hideOf, soloKeys, toggledKeys } from "./hidden-lines";
import { LineChart } from "./LineChart";
import { MetricControls } from "./MetricControls";
import { buildChartModel, type ChartModel } from "./metric-chart-model";
import { valuesRecorded, windowSummary } from "./metric-summary";
import type { MetricsUrlState } from "./metrics-url";
import type { ChartTheme } from "./use-chart-theme";
import { useMetricQuery } from "./use-metric-data";

export interface MetricPanelProps {
  /** The catalog's entry, while the query's answer is on its way. */
  entry: MetricCatalogEntryJson | null;
  /** Whether the catalog has been loaded (so a missing entry means the metric has not arrived). */
  catalogLoaded: boolean;
  /** The metric, when retention removed it (the catalog says so). */
  expired: ExpiredMetricJson | null;
  retentionMs: number;
  theme: ChartTheme;
  state: MetricsUrlState & { metric: string };
  onChange(patch: Partial<MetricsUrlState>): void;
  /** The lines hidden in the legend (their names, or those of the lines shown), a step of their own unless `replace`. */
  onHide(hidden: HiddenInUrl, replace: boolean): void;
  /** A zoom on the chart to that range (unix ms): the page's range from then on, a step of its own. */
  onZoom(from: number, to: number): void;
  /** A double-click on the charts: step out of the zoom shown, if it was one. */
  onLeaveZoom(): void;
}

function MetricHeader({
  metric,
  chart,
  service,
}: {
  metric: MetricCatalogEntryJson;
  /** The chart on screen (the metric's own, or the one the page switched to). */
  chart: MetricChart;
  service: string | undefined;
}) {
  const now = useNow(10_000);
  const unit = unitBadge(metric.unit);
  const facts = metricHeaderFacts(metric, service);
  return (
    <div class="metric-header">
      <h1 class="mono">
        <UserText text={metric.name} />
      </h1>
      <span class="badge" title={kindTitle(metric)}>
        {kindLabel(metric)}
      </span>
      <span class="badge" title="How it is charted">
        {chart === "value" && metric.kind === "sum" ? "total" : chartLabel(chart)}
      </span>
      {unit !== null && (
        <span class="badge" data-field="unit" title={showBidiControls(unit.title)}>
          <UserText text={unit.text} />
        </span>
      )}
      <span class="muted" data-testid="metric-header-facts">
        <span data-field="services">
          <UserText text={facts.services} />
        </span>{" "}
        ·{" "}
        <span data-field="series" title={showBidiControls(facts.title)}>
          {facts.series}
        </span>{" "}
        · last point {formatRelative(nanosToMillis(lastPointNanos(metric, service)), now)}
      </span>
      {metric.description !== "" && (
        <p class="metric-description muted">
          <UserText text={metric.description} />
        </p>
      )}
    </div>
  );
}

function Figures({ response, model, live }: { response: MetricQueryResponse; model: ChartModel; live: boolean }) {
  // A latest value's age by the page's clock: a counter that stands still sends nothing, so a window
  // that ends now is not asked for again, yet its latest rate grows old ("15m ago").
  const now = useNow(10_000);
  return (
    <dl class="metric-figures" data-testid="metric-figures">
      {windowSummary(response, model, live, now).map((figure) => (
        <div
          key={figure.id}
          class={figure.when ? "metric-figure stale" : "metric-figure"}
          data-figure={figure.id}
          title={showBidiControls(figure.title)}
        >
          <dt>{figure.label}</dt>
          <dd>
            {withBidiMarks(figure.value)}
            {figure.when && <span class="metric-figure-when"> {figure.when}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Whether the page's HTML asked the browser to fetch this metric's series (see dataPreloadLink). */
function seriesPreloaded(metric: string): boolean {
  const prefix = `/api/metrics/${encodeURIComponent(metric)}?`;
  return [...document.querySelectorAll<HTMLLinkElement>('link[rel="preload"][as="fetch"]')].some((link) =>
    (link.getAttribute("href") ?? "").startsWith(prefix),
  );
}

/** The selected metric: what it is, its controls, its window in figures, its chart, heatmap and legend. */
export function MetricPanel({
  entry,
  catalogLoaded,
  expired,
  retentionMs,
  theme,
  state,
  onChange,
  onHide,
  onZoom,
  onLeaveZoom,
}: MetricPanelProps) {
  const { route } = useLocation();
  // Only one of the metric's own charts can be asked for (the URL is trusted until the catalog says).
  const chart =
    state.chart && (entry === null || (state.chart !== entry.chart && entry.charts?.includes(state.chart)))
      ? state.chart
      : undefined;
  // Asked at once, beside the catalog, when the page's HTML named it (the server does for a stored
  // metric); else once the catalog lists it. A metric not stored is never asked for: its 404 would be an
  // error in the console, and the catalog already says it is not there.
  const { response, error } = useMetricQuery(
    { ...state, chart },
    entry !== null || (!catalogLoaded && seriesPreloaded(state.metric)),
  );
  const [zoom, setZoom] = useState<{ min: number; max: number } | null>(null);
  const rangeKey = `${state.window}|${state.from}|${state.to}`;
  useEffect(() => setZoom(null), [rangeKey]);
  // Lines that stand for a service are drawn in its colour, which the server's assignment can change
  // after the chart was drawn: the model is built again then.
  const colorsVersion = useServiceColorsVersion();
  const model = useMemo(
    () =>
      response
        ? buildChartModel(response, {
            stat: state.stat,
            palette: theme.palette,
            service: state.service,
            serviceColor: serviceColors.value,
          })
        : null,
    [response, state.stat, state.service, theme.palette, colorsVersion],
  );
  // The lines hidden in the legend live in the URL (`hide` or `only`), each click a step Back undoes, as a
  // filter; too many names for an address stay in the page (`kept`) while the URL names none.
  const urlHidden = `${state.hide?.join("\n") ?? ""}\u0000${state.only?.join("\n") ?? ""}`;
  const [kept, setKept] = useState<{ keys: ReadonlySet<string>; url: string } | null>(null);
  const fromUrl = useMemo(() => hiddenKeys(model, state), [model, urlHidden]);
  const hidden = kept !== null && kept.url === urlHidden ? kept.keys : fromUrl;
  const pick = (keys: ReadonlySet<string>, replace: boolean, forgetOthers = false) => {
    const url = hideOf(model as ChartModel, keys, forgetOthers || kept !== null ? {} : state);
    setKept(url === null ? { keys, url: "\u0000" } : null);
    // Kept in the page alone, the pick is no step: the address leaves what it named behind.
    onHide(url ?? {}, replace || url === null);
  };
  const visible = useMemo(() => model?.lines.map((l) => !hidden.has(l.key)) ?? [], [model, hidden]);
  const metric = response?.metric ?? entry;
  if (!metric && expired !== null) {
    return (
      <div class="page-message" data-testid="metric-expired">
        <h2>
          <UserText text={state.metric} /> was removed by retention
        </h2>
        <p>{expiredReason(expired, retentionMs, Date.now())}</p>
        <p>Sent again with current timestamps, it appears here by itself.</p>
      </div>
    );
  }
  if (!metric) {
    return catalogLoaded || error !== null ? (
      <div class="page-message" data-testid="metric-unknown">
        <h2>
          <UserText text={state.metric} /> has not arrived
        </h2>
        <p>
          No metric of this name is stored
          {state.service && (
            <>
              {" "}
              for <UserText text={state.service} />
            </>
          )}
          . Its chart appears here by itself once its first points arrive.
        </p>
      </div>
    ) : null;
  }
  const shownChart = model?.chart ?? chart ?? metric.chart;
  const reading = tracekitReading(metric, shownChart);
  const lastPointMs = nanosToMillis(lastPointNanos(metric, state.service));
  // Nothing to draw: no point in the window, points that hold no new value, or values no percentile of
  // which is known (see emptyWindowOf).
  const empty =
    response !== null && model?.lines.every((l) => l.values.every((v) => v === null))
      ? emptyWindowOf(
          lastPointMs,
          response,
          state.from === undefined,
          model.chart === "distribution" ? valuesRecorded(response) : 0,
        )
      : null;
  return (
    <div class="metric-panel" data-testid="metric-panel" data-metric={metric.name}>
      <MetricHeader metric={metric} chart={shownChart} service={state.service} />
      {reading !== null && (
        <p class="tracekit-note" data-testid="tracekit-note">
          {reading}
        </p>
      )}
      <MetricControls
        metric={metric}
        state={state}
        statChoices={model?.statChoices ?? []}
        stat={model?.stat ?? null}
        shownChart={model?.chart ?? chart ?? metric.chart}
        onChange={onChange}
      />
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load <UserText text={metric.name} />: {error}
        </div>
      )}
      {response === null || model === null ? (
        <div class="chart-loading muted">Loading…</div>
      ) : (
        <>
          <Figures response={response} model={model} live={state.from === undefined} />
          {response.startsAtData && (
            <p class="muted metric-young" data-testid="metric-starts-at-data">
              {/* Its first point, or the start a counter's or cumulative histogram's first point counted from (an app that ran before this did). */}
              This metric's data begins{" "}
              {formatRelative(response.firstPointUnixMs ?? response.fromUnixMs + response.stepMs, Date.now())}: the
              chart starts there and widens to the last {state.window} as points arrive.
            </p>
          )}
          {empty === "quiet" && (
            <p class="muted" data-testid="metric-window-quiet">
              Nothing was recorded in this window. The app still reports this metric (its last point came{" "}
              {formatRelative(lastPointMs, Date.now())}), but its points hold no new values; pick a longer window to see
              when it last recorded some.
            </p>
          )}
          {empty === "unplaced" && (
            <p class="muted" data-testid="metric-window-unplaced">
              Values were recorded in this window, but no percentile of them is known: their histogram sent no bucket
              bounds around them and no min or max to say where they lie.
            </p>
          )}
          {empty === "none" && (
            <p class="muted" data-testid="metric-window-empty">
              No points in this window. The last one arrived {formatRelative(lastPointMs, Date.now())}:{" "}
              <button
                type="button"
                class="button link-button"
                data-testid="metric-show-last"
                onClick={() => {
                  // The hour up to a little after the last point: old data (an imported file, a fixture) too.
                  onChange({ from: lastPointMs - 55 * 60_000, to: lastPointMs + 5 * 60_000 });
                }}
              >
                show the hour up to it
              </button>
              , or pick a longer window.
            </p>
          )}
          {/* A new window starts unzoomed: the charts are built afresh for it. */}
          <div key={rangeKey} class="metric-charts" data-testid="metric-chart" data-lines={model.lines.length}>
            <LineChart
              model={model}
              exemplars={response.exemplars}
              theme={theme}
              fromMs={response.fromUnixMs}
              toMs={response.toUnixMs}
              visible={visible}
              height={280}
              label={`${metric.name} over time`}
              onZoom={(min, max, zoomed) => {
                setZoom(zoomed ? { min, max } : null);
                // A zoom is the page's range from then on (in the URL, a step Back undoes): a reload or a
                // shared link shows it, asked for in steps of its own size.
                if (zoomed) onZoom(Math.floor(min * 1000), Math.ceil(max * 1000));
              }}
              // The chart shows the page's range whole: its double-click (uPlot's zoom out) leaves the zoom.
              onDoubleClick={onLeaveZoom}
              onOpenTrace={(exemplar) => {
                if (exemplar.traceId)
                  route(`/traces/${exemplar.traceId}${exemplar.spanId ? `?span=${exemplar.spanId}` : ""}`);
              }}
            />
            {model.chart === "distribution" && (
              <HeatmapChart response={response} unit={model.unit} theme={theme} height={150} zoom={zoom} />
            )}
          </div>
          <ChartLegend
            model={model}
            response={response}
            live={state.from === undefined}
            hidden={hidden}
            notInUrl={kept !== null && hidden === kept.keys}
            onToggle={(key) => pick(toggledKeys(hidden, key), false)}
            onSolo={(key, secondClick) =>
              // The second click of a double-click: its first toggled the line, which this step replaces.
              pick(soloKeys(model, secondClick ? toggledKeys(hidden, key) : hidden, key), secondClick)
            }
            onShowAll={() => pick(new Set(), false, true)}
          />
        </>
      )}
    </div>
  );
}
