import { useState } from "preact/hooks";
import type { MetricCatalogEntryJson, MetricChart } from "../../../../src/protocol";
import { showBidiControls } from "../../lib/bidi-controls";
import { chartChoiceLabel, groupByChoices } from "./catalog-model";
import { statLabel } from "./metric-chart-model";
import {
  fromLocalInput,
  isLiveWindow,
  type MetricsUrlState,
  queryRange,
  toLocalInput,
  WINDOW_PRESETS,
} from "./metrics-url";

export interface MetricControlsProps {
  metric: MetricCatalogEntryJson;
  state: MetricsUrlState;
  statChoices: string[];
  stat: string | null;
  /** The chart on show (the metric's own, or another of its charts picked in the URL). */
  shownChart: MetricChart;
  onChange(patch: Partial<MetricsUrlState>): void;
}

function CustomRange({ state, onApply }: { state: MetricsUrlState; onApply(from: number, to: number): void }) {
  const range = queryRange(state, Date.now());
  const [from, setFrom] = useState(toLocalInput(range.since));
  const [to, setTo] = useState(toLocalInput(range.until));
  const fromMs = fromLocalInput(from);
  const toMs = fromLocalInput(to);
  const valid = fromMs !== null && toMs !== null && fromMs < toMs;
  return (
    <form
      class="custom-range"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) onApply(fromMs, toMs);
      }}
    >
      <label>
        From <input class="input" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label>
        to <input class="input" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <button
        type="submit"
        class="button"
        disabled={!valid}
        title={valid ? "Show this range" : "The start must come before the end"}
      >
        Apply
      </button>
    </form>
  );
}

/** Window presets, a custom range, group by, the statistic per group, and a TraceKit metric's reading. */
export function MetricControls({ metric, state, statChoices, stat, shownChart, onChange }: MetricControlsProps) {
  const charts = metric.charts ?? [metric.chart];
  const [customOpen, setCustomOpen] = useState(false);
  const live = isLiveWindow(state);
  const clearRange = { from: undefined, to: undefined };
  return (
    <div class="metric-controls">
      <fieldset class="segmented" aria-label="Window">
        {WINDOW_PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            class="button"
            aria-pressed={live && state.window === preset}
            title={`The last ${preset}, following the clock`}
            onClick={() => {
              setCustomOpen(false);
              onChange({ window: preset, ...clearRange });
            }}
          >
            {preset}
          </button>
        ))}
        <button
          type="button"
          class="button"
          aria-pressed={!live || customOpen}
          aria-expanded={customOpen}
          onClick={() => setCustomOpen((open) => !open)}
        >
          Custom…
        </button>
      </fieldset>
      <label class="control">
        Group by
        <select
          class="input"
          value={state.groupBy ?? ""}
          onChange={(e) => onChange({ groupBy: e.currentTarget.value || undefined })}
        >
          <option value="">{metric.seriesCount > 1 ? "each series" : "nothing"}</option>
          {metric.seriesCount > 1 && <option value="*">all series together</option>}
          {groupByChoices(metric).map((key) => (
            <option key={key} value={key}>
              {showBidiControls(key)}
            </option>
          ))}
        </select>
      </label>
      {statChoices.length > 0 && (
        <label class="control">
          Each group's
          <select class="input" value={stat ?? ""} onChange={(e) => onChange({ stat: e.currentTarget.value })}>
            {statChoices.map((choice) => (
              <option key={choice} value={choice}>
                {statLabel(choice)}
              </option>
            ))}
          </select>
        </label>
      )}
      {charts.length > 1 && (
        <fieldset class="segmented" aria-label="Read the points as">
          {charts.map((chart) => (
            <button
              key={chart}
              type="button"
              class="button"
              aria-pressed={shownChart === chart}
              onClick={() => onChange({ chart: chart === metric.chart ? undefined : chart })}
            >
              {chartChoiceLabel(metric, chart)}
            </button>
          ))}
        </fieldset>
      )}
      {customOpen && (
        <CustomRange
          state={state}
          onApply={(from, to) => {
            setCustomOpen(false);
            onChange({ from, to });
          }}
        />
      )}
    </div>
  );
}
