import { Component } from "preact";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { LogMark } from "../logs/SpanLogs";
import type { SpanLogMark } from "../logs/trace-logs";
import { SnapshotMark } from "../snapshots/SpanSnapshots";
import { clockSkewBadge, clockSkewOf, clockSkewText } from "./clock-skew";
import { eventTicks } from "./event-ticks";
import { Highlighted } from "./Highlighted";
import { DARK_LABEL, selfHeatColor, selfHeatLabelColor } from "./self-heat";
import { insideLabelLeftPx, type TimeWindow, timePosition, type WaterfallNode } from "./waterfall-model";

export interface WaterfallRowProps {
  node: WaterfallNode;
  /** The row element's id, unique in the page: the tree names the selected row by it. */
  rowId: string;
  collapsed: boolean;
  /** Collapsed, with a search match somewhere below. */
  hidesMatch: boolean;
  selected: boolean;
  /** An ancestor of the selected span: the path to it is highlighted. */
  onPath: boolean;
  match: boolean;
  /** The search text, passed only to matching rows so the others need not re-render. */
  query: string;
  /** Code-monitoring snapshots captured in this span. */
  snapshotCount?: number;
  /** Log records written in this span. */
  logMark?: SpanLogMark | undefined;
  view: TimeWindow;
  /** The timeline's width in px: where a label inside a bar fits between its events' marks. */
  timelineWidth: number;
  /** A duration label's width in px as drawn (measured in its font): where it fits between the marks. */
  labelWidth(text: string): number;
  /**
   * What the waterfall highlights: with "critical", `critical` says whether this span is on the
   * critical path (others are dimmed); with "self", `selfShare` (0–1 of the trace's largest self
   * time) colours the bar.
   */
  highlight: Highlight;
  critical: boolean;
  selfShare: number;
  onSelect(spanId: string): void;
  onToggle(spanId: string): void;
}

export type Highlight = "critical" | "self" | null;

/** Deeper levels stop indenting, so a 10,000-deep chain stays readable. */
const MAX_INDENT_DEPTH = 40;
const INDENT_PX = 14;

/** One waterfall row. A class with a shallow prop check, so scrolling re-renders only new rows. */
export class WaterfallRow extends Component<WaterfallRowProps> {
  override shouldComponentUpdate(next: WaterfallRowProps): boolean {
    const props = this.props as WaterfallRowProps & Record<string, unknown>;
    for (const key in next) {
      if (next[key as keyof WaterfallRowProps] !== props[key]) return true;
    }
    return false;
  }

  override render() {
    const { node, collapsed, hidesMatch, selected, onPath, match, query, view, highlight } = this.props;
    const { span } = node;
    const color =
      highlight === "self"
        ? selfHeatColor(this.props.selfShare)
        : node.isError
          ? "var(--error)"
          : serviceColor(span.service);
    const showService = node.parent === null || node.parent.span.service !== span.service;
    const skew = clockSkewOf(node);
    const { left, width } = timePosition(node.offsetMs, node.durationMs, view);
    const right = left + width;
    // A span without a start has no bar: a label at the timeline's left edge says so.
    const unset = node.startUnset;
    // Zoomed in, a span may lie wholly outside the window: no bar, just an arrow towards it.
    const before = !unset && node.offsetMs + node.durationMs < view.fromMs;
    const after = !unset && node.offsetMs > view.toMs;
    // The duration label goes after the bar, else before it, else (a bar across the view) inside it.
    const labelPlace =
      unset || before ? "after" : after ? "before" : right <= 75 ? "after" : left >= 25 ? "before" : "inside";
    // Inside a pale self-time bar, white would vanish: the label takes the colour that reads on it.
    const labelColor =
      labelPlace === "inside" && highlight === "self" ? selfHeatLabelColor(this.props.selfShare) : null;
    // Selected, a span off the critical path stays dimmed and says so: its selection ring must not read as the path's outline.
    const offPathSelected = highlight === "critical" && selected && !this.props.critical;
    const duration = unset
      ? "no start time"
      : highlight === "self"
        ? `${formatDuration(node.durationMs)} · self ${formatDuration(node.selfMs)}`
        : offPathSelected
          ? `${formatDuration(node.durationMs)} · off the critical path`
          : formatDuration(node.durationMs);
    const ticks = eventTicks(span.events, node.eventOffsetsMs);
    const tickLeft = (offset: number) => timePosition(offset, 0, view).left;
    const pxPerPercent = this.props.timelineWidth / 100;
    // Inside the bar, the label keeps clear of its events' marks where it has room (see insideLabelLeftPx).
    const insideLeftPx =
      labelPlace === "inside"
        ? insideLabelLeftPx(
            left * pxPerPercent,
            right * pxPerPercent,
            ticks
              .filter((tick) => tick.offsetMs >= view.fromMs && tick.offsetMs <= view.toMs)
              .map((tick) => tickLeft(tick.offsetMs) * pxPerPercent),
            this.props.labelWidth(duration),
          )
        : 0;
    const labelStyle = unset
      ? { left: "4px" }
      : labelPlace === "after"
        ? { left: `calc(${right}% + 4px)` }
        : labelPlace === "before"
          ? { right: `calc(${100 - left}% + 4px)` }
          : { left: `${insideLeftPx}px`, ...(labelColor ? { color: labelColor } : {}) };
    const classes = `tv-row${selected ? " selected" : ""}${onPath ? " on-path" : ""}${match ? " match" : ""}${
      node.isError ? " error" : ""
    }${highlight === "critical" ? (this.props.critical ? " critical" : " off-critical") : ""}`;
    const indent = Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT_PX;
    return (
      // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard selects rows page-wide (j/k, arrows), not per row
      // biome-ignore lint/a11y/useFocusableInteractive: the tree keeps focus and names this row its active descendant; a focusable row would take focus on a click and keep its ring while j/k move on
      <div
        id={this.props.rowId}
        class={classes}
        role="treeitem"
        aria-level={node.depth + 1}
        aria-selected={selected ? "true" : "false"}
        aria-expanded={node.hasChildren ? !collapsed : undefined}
        data-span-id={node.spanId}
        data-depth={node.depth}
        onClick={() => this.props.onSelect(node.spanId)}
      >
        <div class="tv-row-tree" title={showBidiControls(`${span.service} · ${node.label}`)}>
          <span class="tv-indent" style={{ width: indent }} />
          {node.hasChildren ? (
            <button
              type="button"
              class={hidesMatch ? "tv-toggle hidden-match" : "tv-toggle"}
              data-toggle
              aria-expanded={!collapsed}
              aria-label={showBidiControls(
                `${collapsed ? "Expand" : "Collapse"} ${node.label} (${formatCount(node.descendantCount)} spans below)`,
              )}
              title={`${formatCount(node.children.length)} children, ${formatCount(node.descendantCount)} spans below${
                hidesMatch ? "; search matches inside" : ""
              }`}
              onClick={(event) => {
                event.stopPropagation();
                this.props.onToggle(node.spanId);
              }}
            >
              <span class="tv-caret">{collapsed ? "▸" : "▾"}</span>
              <span class="tv-child-count">{collapsed ? node.descendantCount : node.children.length}</span>
            </button>
          ) : (
            <span class="tv-toggle-spacer" />
          )}
          <span class="service-dot" style={{ background: serviceColor(span.service) }} />
          {showService && (
            <span class="tv-row-service">
              <Highlighted text={span.service} query={query} />
            </span>
          )}
          <span class="tv-row-name">
            <Highlighted text={node.label} query={query} />
          </span>
          {node.isLlm && (
            <span class="tv-llm-mark" title="A GenAI (LLM) call">
              LLM
            </span>
          )}
          {this.props.snapshotCount ? <SnapshotMark count={this.props.snapshotCount} /> : null}
          {this.props.logMark ? <LogMark mark={this.props.logMark} /> : null}
          {node.isError && (
            <span class="tv-error-mark" title={showBidiControls(clipText(span.status.message || "status ERROR"))}>
              !
            </span>
          )}
          {skew && node.parent && (
            <span
              class="badge tv-issue tv-skew"
              title={showBidiControls(clockSkewText(skew, node.parent.span.service))}
            >
              {clockSkewBadge(skew)}
            </span>
          )}
          {node.parentIssue && (
            <span class="badge tv-issue" title={`parent span ${span.parentSpanId ?? ""}`}>
              {node.parentIssue === "missing" ? "parent missing" : "parent cycle"}
            </span>
          )}
        </div>
        <div class="tv-row-time">
          {!unset && !before && !after && (
            <div class="tv-bar" style={{ left: `${left}%`, width: `${width}%`, background: color }} />
          )}
          {ticks.map((tick, i) =>
            tick.offsetMs < view.fromMs || tick.offsetMs > view.toMs ? null : (
              <span
                key={i}
                class={`tv-event-tick${tick.exception ? " exception" : ""}`}
                style={{ left: `${tickLeft(tick.offsetMs)}%` }}
              />
            ),
          )}
          <span class={`tv-bar-label ${labelPlace}${labelColor === DARK_LABEL ? " on-light" : ""}`} style={labelStyle}>
            {before ? `◂ ${duration}` : after ? `${duration} ▸` : duration}
          </span>
        </div>
      </div>
    );
  }
}
