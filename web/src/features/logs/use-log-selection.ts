import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { LogRecordJson } from "../../../../src/protocol";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";
import { useListKeys } from "../../components/use-list-keys";
import type { OrderedList } from "../../lib/ordered-list";
import { replaceSearchParam } from "../../lib/url";
import { useHistoryReturn } from "../../lib/use-history-return";

/** How many older pages a deep link to a record loads, at most, to show it in the list. */
const OLDER_PAGES_FOR_LINK = 25;

export interface LogSelection {
  selectedId: string | null;
  /** The row to scroll into view (keyboard moves, a deep link). */
  scrollToIndex: number | null;
  /** A record is open: the list holds new records back. */
  reading(): boolean;
  select(index: number): void;
  close(): void;
}

/**
 * The open record (`?log=<id>` in the URL, replaced, never pushed) and its keys: j/k and arrows
 * move, Enter opens the record's trace, Escape closes the details.
 */
export function useLogSelection(
  rows: OrderedList<LogRecordJson>,
  loading: boolean,
  onOpen: (record: LogRecordJson) => void,
  onClose: () => void,
  older: {
    hasMore: boolean;
    loadMore(): boolean;
    /** The record the list was loaded around (a new one: it is looked for and scrolled to again). */
    loadedAround: string | null;
    /** The older pages asked for did not reach the record, and more follow. */
    onUnreached(id: string): void;
  },
): LogSelection {
  const [selectedId, setSelectedId] = useState<string | null>(() => new URLSearchParams(location.search).get("log"));
  const current = useRef(selectedId);
  current.current = selectedId;
  const [scrollToIndex, setScrollToIndex] = useState<number | null>(null);
  const restored = useRef(false);
  const pagesAsked = useRef(0);
  const around = useRef<string | null>(null);
  const selectedIndex = selectedId === null ? -1 : rows.indexOf(selectedId);

  const select = useCallback(
    (index: number) => {
      const record = rows.list[index];
      if (!record) return;
      current.current = record.id;
      setSelectedId(record.id);
      setScrollToIndex(index);
      replaceSearchParam("log", record.id);
    },
    [rows],
  );

  const latestClose = useRef(onClose);
  latestClose.current = onClose;
  const close = useCallback(() => {
    current.current = null;
    setSelectedId(null);
    replaceSearchParam("log", null);
    latestClose.current();
  }, []);

  // Back or Forward across a filter pick opens the record that entry keeps (or none), scrolled to.
  useHistoryReturn(() => {
    const id = new URLSearchParams(location.search).get("log");
    if (id === current.current) return;
    current.current = id;
    setSelectedId(id);
    if (id === null) latestClose.current();
    restored.current = false;
    pagesAsked.current = 0;
  });

  useListKeys({
    count: rows.size,
    selectedIndex,
    select,
    open: (index) => {
      const record = rows.list[index];
      if (record) onOpen(record);
    },
  });

  useLayoutEffect(() => {
    if (selectedId === null) return;
    function onKey(event: KeyboardEvent) {
      if (event.key !== "Escape" || !isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen())
        return;
      close();
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selectedId, close]);

  // A deep-linked record (or one Back or Forward returns to) is scrolled into view once the list is there; one older than the loaded
  // pages (a link copied a while ago, new records since) has older pages loaded until its row is in
  // the list, up to OLDER_PAGES_FOR_LINK of them (a record the filters leave out never comes); past
  // those, the list is told, to load itself around the record. Once it has, the row is looked for again.
  useLayoutEffect(() => {
    if (older.loadedAround !== around.current) {
      around.current = older.loadedAround;
      if (around.current !== null) {
        restored.current = false;
        pagesAsked.current = 0;
      }
    }
    if (restored.current || loading || selectedId === null) return;
    if (selectedIndex >= 0) {
      restored.current = true;
      setScrollToIndex(selectedIndex);
      return;
    }
    if (!older.hasMore || pagesAsked.current >= OLDER_PAGES_FOR_LINK) {
      restored.current = true;
      if (older.hasMore) older.onUnreached(selectedId);
      return;
    }
    // A page already on its way (asked for by scrolling) is not counted: its arrival runs this again.
    if (older.loadMore()) pagesAsked.current++;
  }, [loading, selectedId, selectedIndex, rows.size, older.hasMore, older.loadMore, older.loadedAround]);

  return { selectedId, scrollToIndex, reading: () => current.current !== null, select, close };
}
