import { useRef, useState } from "preact/hooks";
import { DebouncedInput } from "../../components/DebouncedInput";
import { ServiceSelect } from "../../components/ServiceSelect";
import { formatAbsolute, formatDuration, formatDurationInput, parseDurationMs } from "../../lib/format";
import type { QueryError } from "../../lib/query-error";
import { editFilters, effectiveMinMs, type ListFilters } from "../../state/trace-list-model";
import { NO_SELECTION } from "./latency-chart-model";
import { QueryInput } from "./QueryInput";

export interface FilterBarProps {
  filters: ListFilters;
  services: string[];
  /** Why the server refused the query, shown under the box. */
  queryError: QueryError | null;
  /** `typing` is true for text typed into a box: the URL is replaced rather than pushed. */
  onChange(filters: ListFilters, typing: boolean): void;
  /** Enter in the query box: true when it was taken (see QueryInput). */
  onQueryEnter?(q: string): boolean;
  /** Every edit of the query box, before it is committed. */
  onQueryDraft?(q: string): void;
}

function windowText({ since, until }: ListFilters): string {
  if (since !== undefined && until !== undefined) {
    const [from, to] = [formatAbsolute(since), formatAbsolute(until)];
    // The same day once: "2026-12-03 19:09:18.435 – 19:10:59.519".
    return `${from} – ${from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to}`;
  }
  if (since !== undefined) return `after ${formatAbsolute(since)}`;
  return `before ${formatAbsolute(until ?? 0)}`;
}

/** The brushed selection in words: its start window and its duration range. */
function selectionText(filters: ListFilters): string {
  const durations = `${formatDuration(effectiveMinMs(filters) ?? 0)} – ${formatDuration(filters.maxDurationMs ?? 0)}`;
  const started = filters.since !== undefined || filters.until !== undefined ? `started ${windowText(filters)}, ` : "";
  return `Selection: ${started}${durations}`;
}

export function FilterBar({ filters, services, queryError, onChange, onQueryEnter, onQueryDraft }: FilterBarProps) {
  const [durationInvalid, setDurationInvalid] = useState(false);
  // The filters as last set (the URL catches up a render later) and text typed but not yet committed:
  // a change to another filter meanwhile keeps both (a pending commit once brought a cleared query back).
  const latest = useRef(filters);
  latest.current = filters;
  const drafts = useRef<Partial<ListFilters>>({});
  const set = (patch: Partial<ListFilters>, typing = false) => {
    const next = editFilters(latest.current, drafts.current, patch);
    drafts.current = {};
    latest.current = next;
    onChange(next, typing);
  };
  const draft = (patch: Partial<ListFilters>) => {
    drafts.current = { ...drafts.current, ...patch };
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for the browsers developers still run
    <div class="filter-bar" role="search">
      <QueryInput
        value={filters.q ?? ""}
        error={queryError}
        onDraft={(q) => {
          draft({ q: q.trim() || undefined });
          onQueryDraft?.(q);
        }}
        onCommit={(q) => set({ q: q.trim() || undefined }, true)}
        {...(onQueryEnter ? { onEnter: onQueryEnter } : {})}
      />
      <ServiceSelect value={filters.service} services={services} onChange={(service) => set({ service })} />
      <DebouncedInput
        class="filter-name"
        value={filters.name ?? ""}
        placeholder="Name or route"
        label="Trace name"
        onDraft={(name) => draft({ name: name.trim() || undefined })}
        onCommit={(name) => set({ name: name.trim() || undefined }, true)}
      />
      <DebouncedInput
        class="filter-duration"
        value={filters.minDurationMs !== undefined ? formatDurationInput(filters.minDurationMs) : ""}
        placeholder="Min 250ms"
        label="Minimum duration (e.g. 250, 250ms, 1.5s)"
        invalid={durationInvalid}
        title={durationInvalid ? "Not a duration: try 250, 250ms, 1.5s or 2m" : "Only traces at least this long"}
        onDraft={(value) => {
          const ms = parseDurationMs(value);
          if (ms !== null) draft({ minDurationMs: ms !== undefined && ms > 0 ? ms : undefined });
        }}
        onCommit={(value) => {
          const ms = parseDurationMs(value);
          setDurationInvalid(ms === null);
          if (ms === null) return;
          const min = ms !== undefined && ms > 0 ? ms : undefined;
          // A minimum past the brushed selection's longest leaves nothing in it: the selection goes.
          const past = min !== undefined && filters.maxDurationMs !== undefined && min > filters.maxDurationMs;
          set({ minDurationMs: min, ...(past ? NO_SELECTION : {}) }, true);
        }}
      />
      <button
        type="button"
        class="button"
        aria-pressed={filters.errorsOnly === true}
        onClick={() => set({ errorsOnly: !filters.errorsOnly })}
      >
        Errors only
      </button>
      {filters.maxDurationMs !== undefined ? (
        <span
          class="filter-chip filter-window selection-chip"
          data-testid="selection-chip"
          title="Only traces in the rectangle brushed on the latency chart: this start window and this duration range"
        >
          <span class="filter-window-text">{selectionText(filters)}</span>
          <button type="button" class="button link-button" onClick={() => set(NO_SELECTION)}>
            Clear selection
          </button>
        </span>
      ) : (
        (filters.since !== undefined || filters.until !== undefined) && (
          <span
            class="filter-chip filter-window"
            title="Only traces that started in this window (set by the link you followed)"
          >
            Started {windowText(filters)}
            <button
              type="button"
              class="button link-button"
              aria-label="Remove the time window"
              onClick={() => set({ since: undefined, until: undefined })}
            >
              ×
            </button>
          </span>
        )
      )}
      {Object.keys(filters).length > 0 && (
        <button
          type="button"
          class="button link-button"
          onClick={() => {
            drafts.current = {};
            latest.current = {};
            onChange({}, false);
          }}
        >
          Reset filters
        </button>
      )}
    </div>
  );
}
