import { useMemo, useRef } from "preact/hooks";
import type { MetricCatalogEntryJson } from "../../../../src/protocol";
import { DebouncedInput } from "../../components/DebouncedInput";
import { SetupHint } from "../../components/SetupHint";
import { UserText } from "../../components/UserText";
import { useListKeys } from "../../components/use-list-keys";
import { VirtualList } from "../../components/VirtualList";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatRelative, nanosToMillis } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { useNow } from "../../lib/use-now";
import {
  catalogRowFacts,
  catalogServices,
  chartLabel,
  filterCatalog,
  kindLabel,
  lastPointNanos,
  unitBadge,
} from "./catalog-model";
import type { MetricsUrlState } from "./metrics-url";

const ROW_HEIGHT = 48;

export interface MetricCatalogProps {
  metrics: readonly MetricCatalogEntryJson[];
  /** The catalog has been read: an empty one then means nothing is stored (not that it is on its way). */
  loaded: boolean;
  state: MetricsUrlState;
  /** Selecting a metric keeps the window and filters but not the last metric's grouping. */
  hrefFor(name: string): string;
  /** `replace` for keyboard steps, which should not each become a history entry. */
  onSelect(name: string, replace?: boolean): void;
  onChange(patch: Partial<MetricsUrlState>, typing?: boolean): void;
}

function CatalogRow({
  metric,
  service,
  selected,
  now,
  href,
  onSelect,
}: {
  metric: MetricCatalogEntryJson;
  /** The page's service filter: the row counts and names that service's series. */
  service: string | undefined;
  selected: boolean;
  now: number;
  href: string;
  onSelect(): void;
}) {
  const facts = catalogRowFacts(metric, service);
  const unit = unitBadge(metric.unit);
  return (
    <a
      href={href}
      class={`catalog-row${selected ? " selected" : ""}`}
      role="option"
      aria-selected={selected}
      id={`metric-${metric.name}`}
      data-metric={metric.name}
      onClick={(event) => openInApp(event, onSelect)}
    >
      <span class="catalog-head">
        <span
          class="catalog-name mono"
          title={showBidiControls(metric.description ? `${metric.name}\n${metric.description}` : metric.name)}
        >
          <UserText text={metric.name} />
        </span>
        <span class="catalog-last">{formatRelative(nanosToMillis(lastPointNanos(metric, service)), now)}</span>
      </span>
      {/* The chart is the kind's own (a histogram's percentiles, a counter's rate): said in the title, as the
          row has no room for it beside the services. */}
      <span class="catalog-facts">
        <span
          class={`catalog-kind${metric.tracekit ? " tracekit" : ""}`}
          title={`charted as ${chartLabel(metric.chart)}`}
        >
          {kindLabel(metric)}
        </span>
        {unit !== null && (
          <span class="catalog-unit" title={showBidiControls(unit.title)}>
            <UserText text={unit.text} />
          </span>
        )}
        <span data-field="series" title={showBidiControls(facts.title)}>
          {facts.series}
        </span>
        <span class="catalog-services" data-field="services" title={showBidiControls(metric.services.join(", "))}>
          <span class="catalog-service">
            <UserText text={facts.service} />
          </span>
          {facts.more > 0 && <span class="catalog-more"> +{facts.more}</span>}
        </span>
      </span>
    </a>
  );
}

/** Every metric received, searchable and filtered by service; virtualized (a busy app sends hundreds). */
export function MetricCatalog({ metrics, loaded, state, hrefFor, onSelect, onChange }: MetricCatalogProps) {
  const now = useNow(5000);
  const scrollRef = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => filterCatalog(metrics, state.q, state.service), [metrics, state.q, state.service]);
  const services = useMemo(() => catalogServices(metrics), [metrics]);
  const selectedIndex = shown.findIndex((m) => m.name === state.metric);
  useListKeys({
    count: shown.length,
    selectedIndex,
    select: (i) => {
      const metric = shown[i];
      if (metric) onSelect(metric.name, true);
    },
    open: () => {},
  });
  return (
    <aside class="metric-catalog" aria-label="Metrics">
      {/* biome-ignore lint/a11y/useSemanticElements: <search> is too new for the browsers developers still run */}
      <div class="catalog-filters" role="search">
        <DebouncedInput
          class="catalog-search"
          value={state.q ?? ""}
          placeholder="Search metrics  ( / )"
          label="Search metric names and descriptions"
          pageSearch
          onCommit={(q) => onChange({ q: q.trim() || undefined }, true)}
        />
        <select
          class="input"
          aria-label="Service"
          value={state.service ?? ""}
          onChange={(e) => onChange({ service: e.currentTarget.value || undefined })}
        >
          <option value="">All services</option>
          {(state.service && !services.includes(state.service) ? [state.service, ...services] : services).map((s) => (
            <option key={s} value={s}>
              {showBidiControls(s)}
            </option>
          ))}
        </select>
      </div>
      <div class="catalog-count muted" data-testid="metric-count">
        {shown.length === metrics.length
          ? `${formatCount(metrics.length)} metrics`
          : `${formatCount(shown.length)} of ${formatCount(metrics.length)} metrics`}
      </div>
      {metrics.length === 0 ? (
        // Nothing stored (a Clear, a linked metric before any arrived): no search or service left it out.
        loaded && (
          <div class="catalog-none" data-testid="metric-catalog-empty">
            <p class="muted">No metrics yet: they appear here as they arrive.</p>
            <SetupHint />
          </div>
        )
      ) : shown.length === 0 ? (
        <p class="catalog-none muted">No metric matches.</p>
      ) : (
        <VirtualList
          class="catalog-rows"
          count={shown.length}
          rowHeight={ROW_HEIGHT}
          scrollRef={scrollRef}
          scrollToIndex={selectedIndex >= 0 ? selectedIndex : null}
          rowKey={(i) => (shown[i] as MetricCatalogEntryJson).name}
          role="listbox"
          aria-label="Metrics by name"
          renderRow={(i) => {
            const metric = shown[i] as MetricCatalogEntryJson;
            return (
              <CatalogRow
                metric={metric}
                service={state.service}
                selected={i === selectedIndex}
                now={now}
                href={hrefFor(metric.name)}
                onSelect={() => onSelect(metric.name)}
              />
            );
          }}
        />
      )}
    </aside>
  );
}
