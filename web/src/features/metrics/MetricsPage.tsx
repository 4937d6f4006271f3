import { useMemo } from "preact/hooks";
import { useLocation } from "preact-iso";
import { withBidiMarks } from "../../components/UserText";
import { formatCount } from "../../lib/format";
import { useTypedHistory } from "../../lib/use-typed-history";
import { filterCatalog } from "./catalog-model";
import { expiredMetric, expiredSummary } from "./expired-metrics";
import type { HiddenInUrl } from "./hidden-lines";
import { MetricCatalog } from "./MetricCatalog";
import { MetricPanel } from "./MetricPanel";
import { MetricsEmpty } from "./MetricsEmpty";
import { MetricsOverview } from "./MetricsOverview";
import { changedState, type MetricsUrlState, metricsHref, metricsStateFromSearch } from "./metrics-url";
import { loadUPlot } from "./uplot-loader";
import { useChartTheme } from "./use-chart-theme";
import { useMetricCatalog } from "./use-metric-data";
import { markZoomStep, previousEntryIs, zoomMarks } from "./zoom-history";
import "./metrics.css";

// The chart library is asked for as soon as this page's code runs (the server has it on its way):
// asked in an effect, it was there only after the page's first paint, and a chart whose series had
// arrived by then was built a frame later than it could be.
loadUPlot().catch(() => {});

function searchOf(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? "" : url.slice(at);
}

/** `/metrics`: the catalog of every metric received, and the selected one's chart. */
export function MetricsPage() {
  const { url, route } = useLocation();
  const search = searchOf(url);
  const state = useMemo(() => metricsStateFromSearch(search), [search]);
  const { catalog, error } = useMetricCatalog();
  // Read once for the page (not per metric): the theme only changes when the reader changes it.
  const theme = useChartTheme();

  // Picking is a step Back can undo, and so is each search typed (see use-typed-history.ts), as on the
  // Traces and Logs pages.
  const history = useTypedHistory();
  // A step that keeps the range (a line hidden, another statistic) keeps the zoom it shows one a
  // double-click leaves: its entry carries the zoom's marks, which a new entry would not have.
  const go = (next: MetricsUrlState, replace: boolean) => {
    const marks = zoomMarks();
    const current = metricsStateFromSearch(location.search);
    route(metricsHref(next), replace);
    if (marks !== null && next.from === current.from && next.to === current.to)
      markZoomStep(marks.before, replace ? marks.carried : true);
  };
  const change = (patch: Partial<MetricsUrlState>, typing = false) => {
    const next = changedState(state, patch);
    // Compared with the address now, not this render's: a chart can report one zoom twice before the
    // page renders again, and the second must not be a step of its own.
    const current = metricsHref(metricsStateFromSearch(location.search));
    go(next, history.replaces(typing, metricsHref(next) === current));
  };
  // Hiding lines in the legend is a pick, a step Back undoes; the second click of a double-click
  // (show one line alone) replaces the step its first click made.
  const hide = (lines: HiddenInUrl, replace: boolean) => {
    const next = { ...state, hide: lines.hide, only: lines.only };
    go(next, replace || metricsHref(next) === metricsHref(metricsStateFromSearch(location.search)));
  };
  // A zoom on the chart is the page's range from then on, a step of its own (Back or a double-click
  // steps out of it). A zoom the chart reports twice before the page renders again is one step.
  const zoom = (from: number, to: number) => {
    const before = `${location.pathname}${location.search}`;
    const earlier = zoomMarks()?.before ?? [];
    const href = metricsHref({ ...state, from, to });
    if (href === metricsHref(metricsStateFromSearch(location.search))) return;
    route(href);
    markZoomStep([...earlier, before]);
  };
  // A double-click on the chart leaves the zoom shown: Back, when this is the zoom's own entry and the
  // entry before is the page before the zoom (so Forward zooms in again); else this page with the range
  // it had before the zoom, in this entry's place (a line hidden since stays hidden). A range not
  // reached by a zoom here (a shared link, a custom range) is the chart's whole range: nothing to leave.
  const leaveZoom = () => {
    const marks = zoomMarks();
    const before = marks?.before.at(-1);
    if (marks === null || before === undefined) return;
    if (!marks.carried && previousEntryIs(before)) {
      window.history.back();
      return;
    }
    const range = metricsStateFromSearch(searchOf(before));
    route(metricsHref({ ...state, window: range.window, from: range.from, to: range.to }), true);
    markZoomStep(marks.before.slice(0, -1), true);
  };
  // A metric's grouping, statistic, reading and hidden lines are its own: selecting another starts without them.
  const hrefFor = (name: string) =>
    metricsHref({
      ...state,
      metric: name,
      groupBy: undefined,
      stat: undefined,
      chart: undefined,
      hide: undefined,
      only: undefined,
    });

  if (catalog !== null && catalog.metrics.length === 0 && !state.metric) return <MetricsEmpty />;
  const entry = catalog?.metrics.find((m) => m.name === state.metric) ?? null;
  const expiredLine = catalog === null ? null : expiredSummary(catalog);
  return (
    // A text box's change (Enter, or leaving it) ends the search typed in it.
    <div class="metrics-page" onChange={history.endTyping}>
      <MetricCatalog
        metrics={catalog?.metrics ?? []}
        loaded={catalog !== null}
        state={state}
        hrefFor={hrefFor}
        onSelect={(name, replace) => route(hrefFor(name), replace)}
        onChange={change}
      />
      <section class="metric-main">
        {error !== null && (
          <div class="error-banner" role="alert">
            Could not load the metrics: {error}
          </div>
        )}
        {catalog !== null && catalog.droppedSeries > 0 && (
          <p class="metric-dropped muted" data-testid="dropped-series">
            {formatCount(catalog.droppedSeries)} series ({formatCount(catalog.droppedPoints)} points) were dropped: more
            than {formatCount(catalog.maxSeries)} series are not kept.
          </p>
        )}
        {expiredLine !== null && (
          <p class="metric-dropped muted" data-testid="expired-series">
            {withBidiMarks(expiredLine)}
          </p>
        )}
        {state.metric ? (
          <MetricPanel
            key={state.metric}
            entry={entry}
            catalogLoaded={catalog !== null}
            expired={entry === null && state.metric ? expiredMetric(catalog, state.metric) : null}
            retentionMs={catalog?.retentionMs ?? 0}
            theme={theme}
            state={{ ...state, metric: state.metric }}
            onChange={change}
            onHide={hide}
            onZoom={zoom}
            onLeaveZoom={leaveZoom}
          />
        ) : catalog === null ? null : (
          <MetricsOverview
            metrics={filterCatalog(catalog.metrics, state.q, state.service)}
            service={state.service}
            window={state.window}
            theme={theme}
            hrefFor={hrefFor}
            onSelect={(name) => route(hrefFor(name))}
          />
        )}
      </section>
    </div>
  );
}
