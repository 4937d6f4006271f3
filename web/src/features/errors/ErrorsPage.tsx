import { useEffect, useMemo, useRef } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { ErrorGroupJson } from "../../../../src/protocol";
import { ServiceSelect } from "../../components/ServiceSelect";
import { SetupHint } from "../../components/SetupHint";
import { TimeWindowSelect } from "../../components/TimeWindowSelect";
import { emptyList } from "../../lib/empty-list";
import { formatCount } from "../../lib/format";
import { useHistoryReturn } from "../../lib/use-history-return";
import { useNow } from "../../lib/use-now";
import { useLiveState } from "../../state/live-context";
import { useServiceNames } from "../trace-list/use-service-names";
import { ErrorGroupList } from "./ErrorGroupList";
import type { ErrorKeyRow } from "./errors-model";
import { type ErrorSort, errorsSearch, readErrorFilters } from "./errors-url";
import "./errors.css";
import { HeldGroupsPill } from "./HeldGroupsPill";
import { MoreGroups } from "./MoreGroups";
import { useErrorGroups } from "./use-error-groups";
import { useErrorKeys } from "./use-error-keys";
import { useHeldGroups } from "./use-held-groups";

/**
 * True when the group's errors were passed along from a failing span below them, to a group on the
 * page: hiding one whose origin is filtered out (another service) would hide where errors start.
 */
function passedAlongFrom(group: ErrorGroupJson, shownIds: ReadonlySet<string>): boolean {
  return group.startedBelow?.some((origin) => shownIds.has(origin.id)) ?? false;
}

/** `/errors`: exceptions and failing spans grouped by fingerprint, over a window; live. */
export function ErrorsPage() {
  const { query, route, path } = useLocation();
  const filters = readErrorFilters(query);
  const live = useLiveState();
  const services = useServiceNames(live.generation);
  const now = useNow(10_000);

  useEffect(() => {
    document.title = "Errors · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  const { answer, error, asked, answeredFor, loadMore } = useErrorGroups(filters);

  // Once per answer, not per render (a live refresh, a key, the pointer) nor per row.
  const ids = useMemo(() => new Set(answer?.groups.map((g) => g.id)), [answer]);
  const passedAlong = useMemo(() => answer?.groups.filter((g) => passedAlongFrom(g, ids)).length ?? 0, [answer, ids]);
  // The reader's open or selected group holds the order, as the pointer on the list and scrolling do.
  const reading = useRef(false);
  // Named by the filters the answer drawn is for, not the ones asked for: the answer to a pick (another
  // order, say) is another list, drawn in its own order at once, not a live update of the one before it.
  const held = useHeldGroups(
    answer?.groups ?? null,
    (g) => !filters.starts || !passedAlongFrom(g, ids),
    `${answeredFor.current} ${filters.starts}`,
    () => reading.current,
    loadMore,
  );
  const shown = held.groups;
  // The groups the answer held all passed errors along from below: "where errors start" hid them all.
  const empty =
    answer !== null && shown.length === 0
      ? emptyList("errors", filters, answer.groups.length > 0 ? "No groups where errors start" : null)
      : null;
  // The list draws only the groups in view: it scrolls to a row by where it sits, drawn or not.
  const scrollTo = useRef<(row: ErrorKeyRow) => void>(() => {});
  const keys = useErrorKeys(shown, route, (row) => scrollTo.current(row));
  const { open, setOpen } = keys;
  reading.current = open !== null || keys.selected !== null;
  const restored = useRef(false);
  // Each pick is a step Back undoes, as on the trace list and the Logs page; the open group stays open
  // and the keyboard's row selected, scrolled into view once the list picked is drawn (below): another
  // order can move it far from where it was.
  const set = (patch: Partial<typeof filters>) => {
    restored.current = false;
    route(`${path}${errorsSearch({ ...filters, ...patch }, keys.place)}`);
  };
  const showGroup = (id: string) => {
    setOpen(id);
    keys.select({ groupId: id, traceId: null });
    scrollTo.current({ groupId: id, traceId: null });
  };
  // The row the address selects (Back from a trace, a reload, a shared link) is scrolled into view once it is
  // listed, and so is the one another entry of this page selects after Back or Forward across a filter pick,
  // or the one kept through a pick, once the list is the one for those filters.
  useEffect(() => {
    if (restored.current || answer === null || answeredFor.current !== asked) return;
    restored.current = true;
    if (keys.selected !== null) scrollTo.current(keys.selected);
  }, [answer, asked, keys.selected]);
  useHistoryReturn(() => {
    restored.current = false;
  });

  return (
    <div class="errors-page">
      <div class="errors-header">
        <h1>Errors</h1>
        <ServiceSelect value={filters.service} services={services} onChange={(service) => set({ service })} />
        <TimeWindowSelect value={filters.window} onChange={(window) => set({ window })} />
        <select
          class="input"
          aria-label="Sort"
          value={filters.sort}
          onChange={(event) => set({ sort: (event.currentTarget as HTMLSelectElement).value as ErrorSort })}
        >
          <option value="lastSeen">Last seen</option>
          <option value="count">Most errors</option>
        </select>
        <label
          class="errors-starts"
          title="Hide the groups whose errors were passed along from a failing span below them (a client call, a handler, each service on the way up)"
        >
          <input
            type="checkbox"
            checked={filters.starts}
            onChange={(event) => set({ starts: (event.currentTarget as HTMLInputElement).checked })}
          />{" "}
          Only where errors start
        </label>
        {/* Always there, so a screen reader hears the counts change (as the trace list's and Logs' counts). */}
        <span class="muted" data-testid="errors-totals" aria-live="polite">
          {answer !== null && answer.totalErrors > 0 && (
            <>
              {formatCount(answer.totalErrors)} error{answer.totalErrors === 1 ? "" : "s"} in{" "}
              {formatCount(answer.totalGroups)} group{answer.totalGroups === 1 ? "" : "s"}
              {answer.totalTraces < answer.totalErrors
                ? // The traces the errors are in: an exception recorded on a span left OK is in a trace that did not fail.
                  `, in ${formatCount(answer.totalTraces)} trace${answer.totalTraces === 1 ? "" : "s"}`
                : ""}
              {answer.groups.length < answer.totalGroups ? ` (showing ${formatCount(answer.groups.length)})` : ""}
              {filters.starts && passedAlong > 0 ? `; ${formatCount(passedAlong)} passed along from below hidden` : ""}
            </>
          )}
        </span>
      </div>
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load errors: {error}
        </div>
      )}
      <HeldGroupsPill newCount={held.newCount} reordered={held.reordered} onShow={held.hold.showNew} />
      {answer !== null && empty !== null ? (
        <div class="page-message" data-testid="errors-empty">
          <h2>{empty.heading}</h2>
          <p>
            Exceptions your spans record (<code>span.recordException</code>, an <code>exception</code> event) and spans
            whose status is ERROR show up here, grouped by type, message and stack.
          </p>
          {empty.filtered ? (
            <p>
              <button
                type="button"
                class="button"
                onClick={() => set({ service: undefined, window: "all", starts: false })}
              >
                Reset filters
              </button>
            </p>
          ) : (
            <SetupHint />
          )}
        </div>
      ) : answer !== null ? (
        <ErrorGroupList
          shown={shown}
          answer={answer}
          ids={ids}
          keys={keys}
          held={held}
          now={now}
          onShowGroup={showGroup}
          scrollTo={scrollTo}
        />
      ) : null}
      {/* Also under "No groups where errors start": the groups not listed yet may hold some. */}
      {answer !== null && answer.nextCursor !== undefined && (
        <MoreGroups shown={answer.groups.length} total={answer.totalGroups} starts={filters.starts} onMore={loadMore} />
      )}
    </div>
  );
}
