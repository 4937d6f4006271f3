import { DebouncedInput } from "../../components/DebouncedInput";
import { ServiceSelect } from "../../components/ServiceSelect";
import { TimeWindowSelect } from "../../components/TimeWindowSelect";
import { shortId } from "../../lib/format";
import { type QueryError, queryErrorText } from "../../lib/query-error";
import { type LogFilters, withLogFilter } from "./log-filters";
import { parseSeverityLevel, SEVERITY_LEVELS } from "./severity";

export interface LogFilterBarProps {
  filters: LogFilters;
  /** The search's query does not parse: shown under the box instead of the hint. */
  queryError?: QueryError | null;
  services: readonly string[];
  /** `typing` is true for text typed into a box: the URL is replaced rather than pushed. */
  onChange(filters: LogFilters, typing: boolean): void;
}

function IdChip(props: { label: string; id: string; onRemove(): void }) {
  return (
    <span class="filter-chip" data-testid={`filter-${props.label}`} title={`${props.label} ${props.id}`}>
      {props.label} <code>{shortId(props.id)}</code>
      <button
        type="button"
        class="filter-chip-remove"
        aria-label={`Show logs of any ${props.label}`}
        onClick={props.onRemove}
      >
        ✕
      </button>
    </span>
  );
}

/** What the search box takes, under it while the query is fine. */
const HINT = "text  key=value  severity>=warn  body~timeout  service=api  -word  a | b";

/** Service, minimum level, time window, free text, and the trace (and span) the list is narrowed to. */
export function LogFilterBar({ filters, queryError = null, services, onChange }: LogFilterBarProps) {
  const errorText = queryError === null ? null : queryErrorText(queryError);
  const set = <K extends keyof LogFilters>(key: K, value: LogFilters[K] | undefined, typing = false) =>
    onChange(withLogFilter(filters, key, value), typing);
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for the browsers developers still run
    <div class="filter-bar" role="search">
      <div class="query-box">
        <DebouncedInput
          class="filter-q"
          value={filters.q ?? ""}
          placeholder="Search, or key=value, severity>=warn …  ( / )"
          label="Search logs"
          pageSearch
          invalid={errorText !== null}
          onCommit={(q) => set("q", q.trim() || undefined, true)}
        />
        <div
          class={errorText !== null ? "query-hint query-error" : "query-hint muted"}
          role={errorText !== null ? "alert" : undefined}
          data-testid="log-query-hint"
          title={errorText === null ? `${HINT} — the trace list's query language, read for log records` : undefined}
        >
          {errorText ?? HINT}
        </div>
      </div>
      <ServiceSelect value={filters.service} services={services} onChange={(service) => set("service", service)} />
      <select
        class="input filter-severity"
        aria-label="Minimum severity"
        value={filters.severity ?? ""}
        onChange={(event) => set("severity", parseSeverityLevel((event.currentTarget as HTMLSelectElement).value))}
      >
        <option value="">Any level</option>
        {SEVERITY_LEVELS.map((level) => (
          <option key={level} value={level}>
            {level} and worse
          </option>
        ))}
      </select>
      <TimeWindowSelect
        value={filters.window ?? "all"}
        onChange={(window) => set("window", window === "all" ? undefined : window)}
      />
      {filters.traceId && <IdChip label="trace" id={filters.traceId} onRemove={() => set("traceId", undefined)} />}
      {filters.spanId && <IdChip label="span" id={filters.spanId} onRemove={() => set("spanId", undefined)} />}
      {Object.keys(filters).length > 0 && (
        <button type="button" class="button link-button" onClick={() => onChange({}, false)}>
          Reset filters
        </button>
      )}
    </div>
  );
}
