import { useMemo } from "preact/hooks";
import type { MetricCatalogEntryJson, MetricQueryResponse } from "../../../../src/protocol";
import { UserText, withBidiMarks } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { serviceColors } from "../../lib/service-color";
import { useNow } from "../../lib/use-now";
import { useServiceColorsVersion } from "../../lib/use-service-colors";
import { catalogRowFacts, chartLabel, kindLabel, unitBadge } from "./catalog-model";
import { LineChart } from "./LineChart";
import { buildChartModel } from "./metric-chart-model";
import { formatHeadline, headlineFigure } from "./metric-summary";
import type { MetricsUrlState, WindowPreset } from "./metrics-url";
import type { ChartTheme } from "./use-chart-theme";
import { useMetricQuery } from "./use-metric-data";

/** At most this many metrics are charted at a glance; the catalog lists them all. */
export const OVERVIEW_CARDS = 12;
/** Lines named under a card's chart; more are counted. */
const LEGEND_LINES = 4;
const NO_EXEMPLARS: never[] = [];

export interface MetricsOverviewProps {
  /** The catalog as its search and service filter leave it, by name. */
  metrics: readonly MetricCatalogEntryJson[];
  /** The catalog's service filter: each card charts that service alone. */
  service: string | undefined;
  window: WindowPreset;
  theme: ChartTheme;
  hrefFor(name: string): string;
  onSelect(name: string): void;
}

function OverviewChart({
  metric,
  response,
  theme,
}: {
  metric: MetricCatalogEntryJson;
  response: MetricQueryResponse;
  theme: ChartTheme;
}) {
  // Each service's line in its colour, built again when the server's assignment changes it.
  const colorsVersion = useServiceColorsVersion();
  const model = useMemo(
    () => buildChartModel(response, { stat: "p95", palette: theme.palette, serviceColor: serviceColors.value }),
    [response, theme, colorsVersion],
  );
  const visible = useMemo(() => model.lines.map(() => true), [model]);
  // Said how old by the page's clock: a counter that stands still sends nothing, so nothing asks again.
  const now = useNow(10_000);
  const headline = headlineFigure(model, response, now);
  const more = model.lines.length - LEGEND_LINES;
  return (
    <>
      <div
        class={`overview-figure${headline?.stale ? " stale" : ""}`}
        title={headline === null ? undefined : showBidiControls(headline.title)}
        data-testid="overview-headline"
      >
        <span class="overview-value">{headline === null ? "–" : withBidiMarks(formatHeadline(headline, model))}</span>
        <span class="muted">{headline === null ? "no points in this window" : withBidiMarks(headline.caption)}</span>
      </div>
      <div class="overview-chart" data-testid="overview-chart" data-lines={model.lines.length}>
        <LineChart
          model={model}
          exemplars={NO_EXEMPLARS}
          theme={theme}
          fromMs={response.fromUnixMs}
          toMs={response.toUnixMs}
          visible={visible}
          height={140}
          compact
          label={`${metric.name} over time`}
          onOpenTrace={() => {}}
        />
      </div>
      {model.lines.length > 1 && (
        <div class="overview-legend muted">
          {model.lines.slice(0, LEGEND_LINES).map((line) => (
            <span key={line.key} class="overview-legend-item" title={showBidiControls(line.label)}>
              {/* Dashed as the chart draws the line: a histogram's p50 and p95 beside its solid p99. */}
              <span class={`legend-swatch${line.dash ? " dashed" : ""}`} style={{ background: line.color }} />
              <UserText text={line.label} />
            </span>
          ))}
          {more > 0 && <span>+{more} more</span>}
        </div>
      )}
    </>
  );
}

function OverviewCard({
  metric,
  service,
  window,
  theme,
  href,
  onSelect,
}: {
  metric: MetricCatalogEntryJson;
  service: string | undefined;
  window: WindowPreset;
  theme: ChartTheme;
  href: string;
  onSelect(): void;
}) {
  const query: MetricsUrlState = { metric: metric.name, service, window, groupBy: "service.name", stat: "p95" };
  const { response, error } = useMetricQuery(query, true);
  const unit = unitBadge(metric.unit);
  // Under a service filter, that service's series of all ("2 of 4 series"), as the catalog row says.
  const facts = catalogRowFacts(metric, service);
  return (
    <article class="overview-card" data-metric={metric.name}>
      <header class="overview-card-head">
        <a
          href={href}
          class="overview-name mono"
          title={showBidiControls(metric.description || metric.name)}
          onClick={(e) => openInApp(e, onSelect)}
        >
          <UserText text={metric.name} />
        </a>
        <span class={`catalog-kind${metric.tracekit ? " tracekit" : ""}`}>{kindLabel(metric)}</span>
        <span class="faint">
          {chartLabel(metric.chart)}
          {unit !== null && (
            <>
              {" · "}
              <span title={showBidiControls(unit.title)}>
                <UserText text={unit.text} />
              </span>
            </>
          )}{" "}
          · <span title={showBidiControls(facts.title)}>{facts.series}</span>
        </span>
      </header>
      {error !== null ? (
        <p class="muted">Could not load it: {error}</p>
      ) : response === null ? (
        <div class="overview-loading muted">Loading…</div>
      ) : (
        <OverviewChart metric={metric} response={response} theme={theme} />
      )}
    </article>
  );
}

/** `/metrics` with no metric picked: the first metrics of the catalog at a glance, each live, per service. */
export function MetricsOverview({ metrics, service, window, theme, hrefFor, onSelect }: MetricsOverviewProps) {
  if (metrics.length === 0) {
    return (
      <div class="page-message">
        <h2>No metric matches</h2>
        <p>Change the search or the service on the left to see metrics here.</p>
      </div>
    );
  }
  const shown = metrics.slice(0, OVERVIEW_CARDS);
  return (
    <section class="metrics-overview" aria-label="Metrics at a glance" data-testid="metrics-overview">
      <p class="muted overview-intro">
        {metrics.length > shown.length
          ? `The first ${formatCount(shown.length)} of ${formatCount(metrics.length)} metrics, over the last ${window}: search or pick one on the left for the rest.`
          : `Every metric, over the last ${window}. Pick one for its full chart, its series and their grouping.`}{" "}
        Counters are rates per second, gauges values, histograms percentiles.
      </p>
      <div class="overview-grid">
        {shown.map((metric) => (
          <OverviewCard
            key={metric.name}
            metric={metric}
            service={service}
            window={window}
            theme={theme}
            href={hrefFor(metric.name)}
            onSelect={() => onSelect(metric.name)}
          />
        ))}
      </div>
    </section>
  );
}
