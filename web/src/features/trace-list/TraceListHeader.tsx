import { START_MODES, type StartMode, saveStartMode } from "../../lib/start-label";
import { ariaSortOf, type ListSort, type ListSortKey, nextSort } from "../../state/trace-list-model";

const START_MODE_TITLE: Record<StartMode, string> = {
  clock: 'Clock times, in your time zone (each row\'s tooltip has its date and how long ago). Click for "ago" times',
  relative: '"Ago" times (each row\'s tooltip has its date and clock time). Click for clock times',
};

const ORDER_WORDS: Record<ListSortKey, [descending: string, ascending: string]> = {
  start: ["newest first", "oldest first"],
  duration: ["longest first", "shortest first"],
  spans: ["most spans first", "fewest spans first"],
  errors: ["most failing spans first", "fewest failing spans first"],
};

/** How the list is ordered, in words (the list's accessible name says it too). */
export function sortDescription(sort: ListSort): string {
  return ORDER_WORDS[sort.by][sort.ascending ? 1 : 0];
}

function SortButton(props: {
  column: ListSortKey;
  label: string;
  sort: ListSort;
  class: string;
  onSort(sort: ListSort): void;
}) {
  const aria = ariaSortOf(props.sort, props.column);
  const next = nextSort(props.sort, props.column);
  return (
    <th scope="col" class={props.class} aria-sort={aria}>
      <button
        type="button"
        class={`sort-button${aria === "none" ? "" : " sorted"}`}
        title={`Sort: ${next.by === props.column ? sortDescription(next) : "newest first"}`}
        data-testid={`sort-${props.column}`}
        onClick={() => props.onSort(next)}
      >
        {props.label}
        <span class="sort-arrow" aria-hidden="true">
          {aria === "descending" ? "↓" : aria === "ascending" ? "↑" : ""}
        </span>
      </button>
    </th>
  );
}

/**
 * The list's column headers: Spans, Errors, Duration and Started sort the list (server-side, so the
 * order covers every stored trace); Started's own label switches how start times read.
 */
export function TraceListHeader(props: {
  sort: ListSort;
  onSort(sort: ListSort): void;
  startMode: StartMode;
  onStartMode(mode: StartMode): void;
}) {
  const { sort, onSort, startMode } = props;
  return (
    <table class="trace-header-table" aria-label="Trace list columns; the buttons sort the list">
      <thead>
        <tr class="trace-header-row">
          <th scope="col" class="col-name">
            Trace
          </th>
          <th scope="col" class="col-service">
            Service
          </th>
          <SortButton column="spans" label="Spans" sort={sort} class="col-spans" onSort={onSort} />
          <SortButton column="errors" label="Errors" sort={sort} class="col-errors" onSort={onSort} />
          <SortButton column="duration" label="Duration" sort={sort} class="col-duration" onSort={onSort} />
          <th scope="col" class="col-start start-header" aria-sort={ariaSortOf(sort, "start")}>
            <button
              type="button"
              class={`sort-button${sort.by === "start" ? " sorted" : ""}`}
              title={`Sort: ${sortDescription(nextSort(sort, "start"))}`}
              aria-label={`Sort by start, ${sortDescription(nextSort(sort, "start"))}`}
              data-testid="sort-start"
              onClick={() => onSort(nextSort(sort, "start"))}
            >
              <span class="sort-arrow" aria-hidden="true">
                {sort.by !== "start" ? "↕" : sort.ascending ? "↑" : "↓"}
              </span>
            </button>
            <button
              type="button"
              class="start-mode"
              data-testid="start-mode"
              title={START_MODE_TITLE[startMode]}
              onClick={() => {
                const next = START_MODES[(START_MODES.indexOf(startMode) + 1) % START_MODES.length]!;
                props.onStartMode(next);
                saveStartMode(next);
              }}
            >
              Started{startMode === "relative" ? " · ago" : ""}
            </button>
          </th>
        </tr>
      </thead>
    </table>
  );
}
