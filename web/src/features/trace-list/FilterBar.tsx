import { useEffect, useRef, useState } from "preact/hooks";
import { parseDurationMs } from "../../lib/format";
import type { ListFilters } from "../../state/trace-list-model";

export interface FilterBarProps {
  filters: ListFilters;
  services: string[];
  /** `typing` is true for text typed into a box: the URL is replaced rather than pushed. */
  onChange(filters: ListFilters, typing: boolean): void;
}

/** A text input that reports its value after typing pauses, and at once on Enter. */
export function DebouncedInput(props: {
  value: string;
  placeholder: string;
  label: string;
  onCommit(value: string): void;
  pageSearch?: boolean;
  class?: string;
  inputMode?: "numeric" | "text";
  invalid?: boolean;
  title?: string;
}) {
  const [text, setText] = useState(props.value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setText(props.value), [props.value]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const commit = (value: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    props.onCommit(value);
  };
  return (
    <input
      class={`input ${props.class ?? ""}${props.invalid ? " input-invalid" : ""}`}
      aria-invalid={props.invalid ? true : undefined}
      title={props.title}
      type="search"
      value={text}
      placeholder={props.placeholder}
      aria-label={props.label}
      inputMode={props.inputMode}
      data-page-search={props.pageSearch ? "" : undefined}
      onInput={(event) => {
        const value = (event.currentTarget as HTMLInputElement).value;
        setText(value);
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(value), 300);
      }}
      onKeyDown={(event) => {
        if (event.key === "Enter") commit((event.currentTarget as HTMLInputElement).value);
        if (event.key === "Escape") (event.currentTarget as HTMLInputElement).blur();
      }}
    />
  );
}

export function FilterBar({ filters, services, onChange }: FilterBarProps) {
  const [durationInvalid, setDurationInvalid] = useState(false);
  const set = (patch: Partial<ListFilters>, typing = false) => {
    const next: ListFilters = { ...filters, ...patch };
    for (const key of Object.keys(next) as (keyof ListFilters)[]) {
      if (next[key] === undefined || next[key] === "" || next[key] === false) delete next[key];
    }
    onChange(next, typing);
  };
  const serviceOptions =
    filters.service && !services.includes(filters.service) ? [filters.service, ...services] : services;
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for the browsers developers still run
    <div class="filter-bar" role="search">
      <DebouncedInput
        class="filter-q"
        value={filters.q ?? ""}
        placeholder="Search span names and attribute values  ( / )"
        label="Search spans"
        pageSearch
        onCommit={(q) => set({ q: q.trim() || undefined }, true)}
      />
      <select
        class="input filter-service"
        aria-label="Service"
        value={filters.service ?? ""}
        onChange={(event) => set({ service: (event.currentTarget as HTMLSelectElement).value || undefined })}
      >
        <option value="">All services</option>
        {serviceOptions.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <DebouncedInput
        class="filter-name"
        value={filters.name ?? ""}
        placeholder="Name or route"
        label="Trace name"
        onCommit={(name) => set({ name: name.trim() || undefined }, true)}
      />
      <DebouncedInput
        class="filter-duration"
        value={filters.minDurationMs !== undefined ? String(filters.minDurationMs) : ""}
        placeholder="Min 250ms"
        label="Minimum duration (e.g. 250, 250ms, 1.5s)"
        invalid={durationInvalid}
        title={durationInvalid ? "Not a duration: try 250, 250ms, 1.5s or 2m" : "Only traces at least this long"}
        onCommit={(value) => {
          const ms = parseDurationMs(value);
          setDurationInvalid(ms === null);
          if (ms === null) return;
          set({ minDurationMs: ms !== undefined && ms > 0 ? ms : undefined }, true);
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
      {Object.keys(filters).length > 0 && (
        <button type="button" class="button link-button" onClick={() => onChange({}, false)}>
          Reset filters
        </button>
      )}
    </div>
  );
}
