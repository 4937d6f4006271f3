import type { MetricQueryResponse } from "../../../../src/protocol";
import { UserText, withBidiMarks } from "../../components/UserText";
import { VirtualList } from "../../components/VirtualList";
import { showBidiControls } from "../../lib/bidi-controls";
import { useNow } from "../../lib/use-now";
import type { ChartLine, ChartModel } from "./metric-chart-model";
import { formatLatest, lineLatestWhen, valueAxisRange } from "./metric-summary";

const ROW_HEIGHT = 24;
/** Past this many lines the legend scrolls (and renders only the rows in view). */
const SCROLL_AFTER = 8;

export interface ChartLegendProps {
  model: ChartModel;
  /** The answer the model was built from: its window's end and step say how old a line's latest value is. */
  response: Pick<MetricQueryResponse, "toUnixMs" | "stepMs">;
  /** The window ends now (not a range picked in the past): an old latest value is said "5m ago". */
  live: boolean;
  hidden: ReadonlySet<string>;
  /** The hidden lines are too many names for the page's address: a reload or a link shows them all. */
  notInUrl?: boolean;
  onToggle(key: string): void;
  /**
   * Shows only this line (or every line again when it already is the only one); `secondClick`: the
   * second click of a double-click, whose first click toggled the line.
   */
  onSolo(key: string, secondClick: boolean): void;
  onShowAll(): void;
}

/** One row per line: click to hide or show it, Alt+click (or double-click) to show it alone. */
export function ChartLegend({
  model,
  response,
  live,
  hidden,
  notInUrl,
  onToggle,
  onSolo,
  onShowAll,
}: ChartLegendProps) {
  const { lines } = model;
  const now = useNow(10_000);
  if (lines.length === 0) return null;
  // Values in the unit the chart's axis is in (KiB/s beside an axis in KiB/s), for the lines shown.
  const axis = valueAxisRange(
    model,
    lines.map((line) => !hidden.has(line.key)),
  );
  const row = (index: number) => {
    const line = lines[index] as ChartLine;
    const shown = !hidden.has(line.key);
    const stale = lineLatestWhen(model, line, response, { live, nowMs: now });
    return (
      <button
        type="button"
        class={`legend-row${shown ? "" : " off"}`}
        aria-pressed={shown}
        title={showBidiControls(`${shown ? "Hide" : "Show"} ${line.label} (Alt+click: only this one)`)}
        data-line={line.label}
        data-name={line.name}
        onClick={(event) => {
          // A double-click is a click (a toggle), then a click of detail 2 (the solo); a third is ignored.
          if (event.altKey) onSolo(line.key, false);
          else if (event.detail === 2) onSolo(line.key, true);
          else if (event.detail < 2) onToggle(line.key);
        }}
      >
        <span class={`legend-swatch${line.dash ? " dashed" : ""}`} style={{ background: line.color }} />
        <span class="legend-label">
          <UserText text={line.label} />
        </span>
        {/* A line that stopped sending minutes ago says when its latest value was, as the figures do. */}
        <span
          class={`legend-value${stale === null ? "" : " stale"}`}
          title={
            stale === null
              ? "The latest value in the window"
              : `The latest value in the window, from the step that ended at ${stale.clock}: no point has come since`
          }
        >
          {withBidiMarks(formatLatest(model, line, axis, response.toUnixMs))}
          {stale !== null && <span class="legend-when"> {stale.when}</span>}
        </span>
      </button>
    );
  };
  return (
    <div class="chart-legend" data-testid="chart-legend">
      <div class="legend-head muted">
        <span>
          {lines.length} line{lines.length === 1 ? "" : "s"}
          {hidden.size > 0 ? `, ${hidden.size} hidden` : ""}
        </span>
        {hidden.size > 0 && notInUrl && (
          <span title="Too many names for the page's address: a reload or a shared link shows every line">
            (not in the link)
          </span>
        )}
        {hidden.size > 0 && (
          <button type="button" class="button link-button" onClick={onShowAll}>
            Show all
          </button>
        )}
        {/* What the labels below leave out: every series has it. */}
        {model.shared !== "" && (
          <span
            class="legend-shared"
            title={showBidiControls(`Every series has ${model.shared}`)}
            data-testid="legend-shared"
          >
            all with <UserText text={model.shared} />
          </span>
        )}
      </div>
      {lines.length > SCROLL_AFTER ? (
        <VirtualList
          class="legend-rows scrolling"
          count={lines.length}
          rowHeight={ROW_HEIGHT}
          rowKey={(i) => (lines[i] as ChartLine).key}
          renderRow={row}
          aria-label="Lines of the chart"
        />
      ) : (
        <div class="legend-rows">
          {lines.map((_, i) => (
            <div key={(lines[i] as ChartLine).key}>{row(i)}</div>
          ))}
        </div>
      )}
    </div>
  );
}
