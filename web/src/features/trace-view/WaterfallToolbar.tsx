import { formatCount } from "../../lib/format";
import { windowText } from "./time-ruler-model";
import type { Highlight } from "./WaterfallRow";
import type { TimeWindow } from "./waterfall-model";

export interface WaterfallToolbarProps {
  query: string;
  matchCount: number;
  /** 0-based position of the selected span among the matches, or -1. */
  currentMatch: number;
  onQuery(query: string): void;
  onStep(direction: 1 | -1): void;
  onCollapseAll(): void;
  onExpandAll(): void;
  /** Failing spans in the trace, and the selected one's position among them (-1 when it is not one). */
  errorCount: number;
  currentError: number;
  onStepError(direction: 1 | -1): void;
  /** The zoomed time window (ms from the trace start), or null for the whole trace. */
  zoom: TimeWindow | null;
  onZoomIn(): void;
  onZoomOut(): void;
  onZoomReset(): void;
  highlight: Highlight;
  onHighlight(highlight: Highlight): void;
}

function counterText(query: string, count: number, current: number): string {
  if (query.trim() === "") return "";
  if (count === 0) return "no matches";
  if (current < 0) return `${count} ${count === 1 ? "match" : "matches"}`;
  return `${current + 1} of ${count}`;
}

/** Collapse/expand all, previous/next failing span (e / E) and find-in-trace (Enter next, Shift+Enter previous). */
export function WaterfallToolbar(props: WaterfallToolbarProps) {
  const { query, matchCount, currentMatch } = props;
  const counter = counterText(query, matchCount, currentMatch);
  return (
    <div class="tv-toolbar">
      <button type="button" class="button" onClick={props.onCollapseAll} title="Show only the top-level spans">
        Collapse all
      </button>
      <button type="button" class="button" onClick={props.onExpandAll} title="Show every span">
        Expand all
      </button>
      <fieldset class="tv-highlight" aria-label="Highlight">
        <button
          type="button"
          class="button"
          aria-pressed={props.highlight === "critical"}
          title="Highlight the critical path: the chain of spans that decided when the root span ended; work that runs on after it, such as a queue consumer's, is not on it (c)"
          onClick={() => props.onHighlight(props.highlight === "critical" ? null : "critical")}
        >
          Critical path
        </button>
        <button
          type="button"
          class="button"
          aria-pressed={props.highlight === "self"}
          title="Colour each bar by its self time (time no child span covers): the hottest spent the most on their own"
          onClick={() => props.onHighlight(props.highlight === "self" ? null : "self")}
        >
          Self time
        </button>
      </fieldset>
      <fieldset class="tv-zoom" aria-label="Timeline zoom">
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom out"
          title="Zoom out (−)"
          disabled={props.zoom === null}
          onClick={props.onZoomOut}
        >
          −
        </button>
        <span
          class="tv-zoom-window"
          data-testid="zoom-window"
          title="The time range the timeline shows (drag on the overview or the ruler to choose one)"
        >
          {props.zoom === null ? "whole trace" : windowText(props.zoom)}
        </span>
        <button
          type="button"
          class="icon-button"
          aria-label="Zoom in"
          title="Zoom in around the selected span (+)"
          onClick={props.onZoomIn}
        >
          +
        </button>
        {props.zoom !== null && (
          <button type="button" class="tv-link-button" title="Show the whole trace (0)" onClick={props.onZoomReset}>
            Reset
          </button>
        )}
      </fieldset>
      {props.errorCount > 0 && (
        <fieldset class="tv-error-nav" aria-label="Failing spans">
          <button
            type="button"
            class="icon-button"
            aria-label="Previous failing span"
            title="Previous failing span (Shift+E)"
            onClick={() => props.onStepError(-1)}
          >
            ‹
          </button>
          <span class="tv-error-nav-count">
            {props.currentError >= 0
              ? `error ${formatCount(props.currentError + 1)} of ${formatCount(props.errorCount)}`
              : `${formatCount(props.errorCount)} failing span${props.errorCount === 1 ? "" : "s"}`}
          </span>
          <button
            type="button"
            class="icon-button"
            aria-label="Next failing span"
            title="Next failing span (E)"
            onClick={() => props.onStepError(1)}
          >
            ›
          </button>
        </fieldset>
      )}
      <div class="tv-search">
        <input
          type="search"
          class="input tv-search-input"
          data-page-search
          placeholder="Find in trace: name, service, attribute…  ( / )"
          aria-label="Find in trace"
          value={query}
          onInput={(event) => props.onQuery((event.currentTarget as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              props.onStep(event.shiftKey ? -1 : 1);
            }
          }}
        />
        <span class={`tv-search-count${matchCount === 0 && counter !== "" ? " none" : ""}`} aria-live="polite">
          {counter}
        </span>
        <button
          type="button"
          class="icon-button"
          aria-label="Previous match"
          title="Previous match (Shift+Enter)"
          disabled={matchCount === 0}
          onClick={() => props.onStep(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label="Next match"
          title="Next match (Enter)"
          disabled={matchCount === 0}
          onClick={() => props.onStep(1)}
        >
          ↓
        </button>
      </div>
    </div>
  );
}
