import type { RefObject } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { LogListResponse, LogRecordJson } from "../../../../src/protocol";
import { fetchLogs, type LogListParams } from "../../api/logs";
import { type QueryError, refusedQuery } from "../../lib/query-error";
import { useCoalesced } from "../../lib/use-coalesced";
import { useHeldList } from "../../lib/use-held-list";
import { usePagedList } from "../../lib/use-paged-list";
import { useLiveMessages } from "../../state/live-context";
import { cursorAfter, cursorAt, LogFeed } from "./log-feed";
import {
  futureLogParams,
  hasLogFilters,
  isDatedInFuture,
  type LogFilters,
  logFiltersToSearch,
  logListParams,
} from "./log-filters";
import { MatchedCount } from "./log-recount";

const PAGE_SIZE = 200;
/** A list loaded around a record holds this many records newer than it, above its row. */
const NEWER_AROUND = 100;
/** The most records dated in the future that are counted ("1,000+" past it). */
const FUTURE_COUNT_LIMIT = 1000;

export interface LogFeedState {
  feed: LogFeed;
  loading: boolean;
  error: string | null;
  /**
   * Every record stored, counted live (the first page's count plus each record pushed since, within
   * the bound): the list's count when nothing is filtered; null before the first page.
   */
  storedCount: number | null;
  /**
   * How many records match the filters, when the server counts them (LogListResponse.matched: a trace's,
   * or up to its bound), asked again shortly after live records that match arrive; null when it does
   * not, or before the first page.
   */
  matchedCount: number | null;
  /** The search box's query does not parse (or uses a span term): what is wrong and where. */
  queryError: QueryError | null;
  hasMore: boolean;
  /** The list was loaded around a record (`loadAround`): records newer than its top row are not loaded. */
  newerNotLoaded: boolean;
  /** The id of the record the list is (being) loaded around; null when from the newest. */
  around: string | null;
  /** The id of the record the rows shown were loaded around; null when loaded from the newest. */
  loadedAround: string | null;
  /**
   * Records the time window leaves out as dated in the future (a clock ahead of this one), `more`
   * past the most counted; null without a window, or before they are counted.
   */
  future: { count: number; more: boolean } | null;
  paused: boolean;
  pause(): void;
  /** Shows the held-back records (and resumes), scrolled to the top. */
  showNew(): void;
  onScroll(scrollTop: number): void;
  /** Loads the next older page (a deep-linked record past the loaded ones); false if none was asked for. */
  loadMore(): boolean;
  /**
   * Loads the list around a record (those just newer above it, older ones below, on by scrolling)
   * when the older pages from the newest do not reach it: a link to a record far down.
   */
  loadAround(record: LogRecordJson): void;
  /** Leaves a list loaded around a record: loaded afresh from the newest. */
  showNewest(): void;
  setPointerInside(inside: boolean): void;
  /** Call when the reader stops holding a row (closed its details): what waited may come in. */
  letGo(): void;
}

/**
 * The Logs page's list: the first page for the filters, older pages on scroll, and live records
 * placed by `LogFeed` so rows never move under the reader. `reading` says a record is open.
 */
export function useLogFeed(
  filters: LogFilters,
  rowHeight: number,
  scrollRef: RefObject<HTMLDivElement>,
  generation: number,
  reading: () => boolean,
): LogFeedState {
  const filterKey = logFiltersToSearch(filters);
  const feed = useRef(new LogFeed()).current;
  const [, setVersion] = useState(0);
  const [reloads, setReloads] = useState(0);
  // The record the list is loaded around, and the filters it was asked with. The mode belongs to that
  // one load: other filters end it for good, so picking the same filters again later loads from the
  // newest (the record selected since may be there), not around a record left long ago.
  const around = useRef<{ record: LogRecordJson; filterKey: string } | null>(null);
  if (around.current !== null && around.current.filterKey !== filterKey) around.current = null;
  const anchor = around.current?.record ?? null;
  /** What the last first page said: newer records than its top row are stored but not in it. */
  const newerNotLoaded = useRef(false);
  /** The record the rows shown were loaded around (null: from the newest). */
  const loadedAround = useRef<string | null>(null);
  const reloadFromNewest = () => {
    around.current = null;
    setReloads((n) => n + 1);
  };
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  // Read when each request leaves: a window ends at that moment.
  const params = () => ({ ...logListParams(filters), limit: PAGE_SIZE });
  const listKey = `${filterKey} ${generation} ${reloads} ${anchor?.id ?? ""}`;
  /** The list of the latest render: a count asked for another is dropped. */
  const listKeyRef = useRef(listKey);
  listKeyRef.current = listKey;
  const [future, setFuture] = useState<LogFeedState["future"]>(null);
  /** Counts what the window leaves out as dated in the future (one page of them, at most). */
  const futureAsked = useRef(0);
  const countFuture = () => {
    const asked = futureLogParams(filters);
    const ask = ++futureAsked.current;
    if (asked === undefined) {
      setFuture(null);
      return;
    }
    // Only the latest count is shown: filters may change while one is on its way.
    fetchLogs({ ...asked, limit: FUTURE_COUNT_LIMIT })
      .then((page) => {
        if (ask === futureAsked.current) setFuture({ count: page.logs.length, more: page.nextCursor !== undefined });
      })
      .catch(() => {
        if (ask === futureAsked.current) setFuture(null);
      });
  };
  const recountFuture = useCoalesced(countFuture, 400);
  /** How many rows were dropped from the bottom when the cursor was last moved to the last row kept. */
  const trimmedBefore = useRef(0);
  const [queryError, setQueryError] = useState<LogFeedState["queryError"]>(null);
  const stored = useRef<{ count: number; max: number } | null>(null);
  const matched = useRef(new MatchedCount<LogListParams>()).current;
  // The newest records and the count are asked again with the first page's window (the rows loaded
  // keep the records it held), not one that moved on since.
  const listParams = () => matched.paramsFor(listKeyRef.current) ?? params();
  /** A recount waiting for the last one to be RECOUNT_SPACING_MS old. */
  const spacedRecount = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (spacedRecount.current !== null) clearTimeout(spacedRecount.current);
    },
    [],
  );
  /** Asks the server the filters' count again (one record's page), when it gives one. */
  const recountMatched = useCoalesced(() => {
    const wait = matched.wait(Date.now());
    if (wait === null || spacedRecount.current !== null) return;
    if (wait > 0) {
      spacedRecount.current = setTimeout(() => {
        spacedRecount.current = null;
        recountMatched();
      }, wait);
      return;
    }
    const ticket = matched.ask(listKeyRef.current, Date.now());
    fetchLogs({ ...listParams(), limit: 1, count: "true" })
      .then((page) => {
        // Past the server's bound the count is the rows loaded again (and no more are asked for).
        if (matched.answer(ticket, listKeyRef.current, page.matched)) rerender();
      })
      .catch(() => {});
  }, 400);
  const paged = usePagedList<LogRecordJson>({
    key: listKey,
    fetchPage: (cursor, signal) => {
      const asked = params();
      const list = listKey;
      return (
        cursor === undefined && anchor !== null
          ? firstPageAround(anchor, asked, signal)
          : // The first page of filtered records asks for their count (the unfiltered count is `stored`).
            fetchLogs(
              { ...asked, cursor, count: cursor === undefined && hasLogFilters(filters) ? "true" : undefined },
              signal,
            ).then((page) => ({ ...page, newerNotLoaded: false }))
      ).then(
        (page) => {
          if (cursor === undefined) {
            setQueryError(null);
            stored.current = { count: page.stored, max: page.maxLogs };
            matched.loaded(list, asked, page.matched ?? null);
            if (!signal?.aborted) newerNotLoaded.current = page.newerNotLoaded;
            countFuture();
          }
          return { items: page.logs, nextCursor: page.nextCursor };
        },
        (reason: unknown) => {
          setQueryError(refusedQuery(reason, filters.q));
          setFuture(null);
          return { items: [], nextCursor: undefined };
        },
      );
    },
    onFirstPage(items, arrivedMeanwhile) {
      feed.reset(items, filters, newerNotLoaded.current);
      loadedAround.current = anchor?.id ?? null;
      trimmedBefore.current = 0;
      feed.receive(arrivedMeanwhile, false);
    },
    onOlderPage: (items) => feed.append(items),
    rerender,
  });

  const afterChange = () => {
    if (feed.trimmed !== trimmedBefore.current) {
      trimmedBefore.current = feed.trimmed;
      const last = feed.rows.list[feed.rows.size - 1];
      if (last) paged.nextCursor.current = cursorAfter(last);
    }
    rerender();
  };

  // Above a list loaded around a record, only asking ("N new") loads the newest (LogFeed.release).
  const release = (asked: boolean) => {
    const result = feed.release(asked);
    if (result === "reload") reloadFromNewest();
    else if (result === "released") afterChange();
  };

  const hold = useHeldList({ rowHeight, scrollRef, release, loadMore: paged.loadMore, reading });
  const { holding } = hold;

  /**
   * A text filter is the server's to decide: ask it for the newest matches and place those, and for
   * the count in the same request when a recount is due (else it is asked, spaced, if the list changed).
   */
  const refetchNewest = useCoalesced(() => {
    const ticket = matched.wait(Date.now()) === 0 ? matched.ask(listKeyRef.current, Date.now()) : null;
    fetchLogs({ ...listParams(), limit: 100, count: ticket === null ? undefined : "true" })
      .then((page) => {
        const { changed, held } = feed.place(page.logs, holding());
        const counted = ticket !== null && matched.answer(ticket, listKeyRef.current, page.matched);
        if (changed || held) afterChange();
        else if (counted) rerender();
        if (ticket === null && (changed || held)) recountMatched();
      })
      .catch(() => {});
  }, 400);

  /**
   * Records the server stored but did not push while a first page was on its way: that page may not
   * hold them, so they are looked at again once it is in (see LogFeed.missed).
   */
  const missedWhileLoading = useRef(0);
  const missed = (count: number) => {
    const result = feed.missed(count, holding());
    if (result === "reload") reloadFromNewest();
    return result;
  };
  const afterLoading = useCoalesced(() => {
    const count = missedWhileLoading.current;
    missedWhileLoading.current = 0;
    if (paged.deferWhileLoading([])) {
      missedWhileLoading.current += count;
      afterLoading();
    } else if (missed(count) === "held") rerender();
  }, 200);

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      feed.clear();
      paged.nextCursor.current = undefined;
      // The record it was loaded around is gone: a reconnection loads from the newest.
      around.current = null;
      // Nothing is stored any more: the live count starts again from 0 (it stayed at the old total,
      // which the page showed over an empty list until a reload).
      if (stored.current !== null) stored.current = { count: 0, max: stored.current.max };
      matched.cleared();
      setFuture(null);
      rerender();
      return;
    }
    if (message.type !== "logs") return;
    const omitted = message.omitted ?? 0;
    // A window leaves records dated in the future out, and counts them.
    if (filters.window !== undefined && (omitted > 0 || message.logs.some((log) => isDatedInFuture(log)))) {
      recountFuture();
    }
    if (stored.current !== null) {
      const { count, max } = stored.current;
      stored.current = { count: Math.min(max, count + message.logs.length + omitted), max };
    }
    if (paged.deferWhileLoading(message.logs)) {
      if (omitted > 0) {
        missedWhileLoading.current += omitted;
        afterLoading();
      }
      return;
    }
    const { changed, held, unknown, newService } = feed.receive(message.logs, holding());
    // Records the server must place (a text filter) are counted with the newest matches it sends.
    if (changed || held) recountMatched();
    // A gap under the records just placed: the list is loaded afresh, or waits for the reader.
    const gap = missed(omitted);
    if (gap === "reload") return;
    if (unknown) refetchNewest();
    if (changed || held || gap === "held") afterChange();
    // Only the service menu changed (a new service's records filtered out): it is drawn again all the same.
    else if (newService) rerender();
  });

  return {
    feed,
    loading: paged.loading,
    error: paged.error,
    queryError,
    storedCount: stored.current?.count ?? null,
    matchedCount: matched.value,
    hasMore: paged.nextCursor.current !== undefined,
    newerNotLoaded: feed.newerNotLoaded,
    loadedAround: loadedAround.current,
    around: anchor?.id ?? null,
    future: filters.window === undefined ? null : future,
    paused: hold.paused,
    pause: hold.pause,
    showNew: hold.showNew,
    onScroll: hold.onScroll,
    loadMore: paged.loadMore,
    loadAround(record) {
      if (anchor?.id === record.id) return;
      around.current = { record, filterKey };
      rerender();
    },
    showNewest() {
      reloadFromNewest();
      // At the top, as "N new" leaves it (the records held back are in the list loaded afresh).
      hold.showNew();
    },
    setPointerInside: hold.setPointerInside,
    letGo() {
      if (!holding()) release(false);
    },
  };
}

/**
 * The first page of a list loaded around `record`: the record and those older (the older pages go
 * on from there), under up to NEWER_AROUND records just newer; `newerNotLoaded` when more newer
 * ones are stored.
 */
async function firstPageAround(
  record: LogRecordJson,
  params: LogListParams,
  signal?: AbortSignal,
): Promise<LogListResponse & { newerNotLoaded: boolean }> {
  const [older, newer] = await Promise.all([
    fetchLogs({ ...params, cursor: cursorAt(record) }, signal),
    fetchLogs({ ...params, order: "asc", cursor: cursorAfter(record), limit: NEWER_AROUND }, signal),
  ]);
  return { ...older, logs: [...newer.logs.reverse(), ...older.logs], newerNotLoaded: newer.nextCursor !== undefined };
}
