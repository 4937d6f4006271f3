import type { RefObject } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useLiveMessages } from "../../state/live-context";
import { SnapshotFeed, type SnapshotFilters, snapshotFiltersToSearch } from "./snapshot-feed";

const PAGE_SIZE = 200;

export interface SnapshotFeedState {
  feed: SnapshotFeed;
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  paused: boolean;
  pause(): void;
  /** Shows the held-back snapshots (and resumes), scrolled to the top. */
  showNew(): void;
  onScroll(scrollTop: number): void;
  setPointerInside(inside: boolean): void;
}

/**
 * The captured-snapshots list: the first page for the filters, older pages on scroll, and live
 * snapshots placed by `SnapshotFeed` so rows never move under the reader.
 */
export function useSnapshotFeed(
  filters: SnapshotFilters,
  rowHeight: number,
  scrollRef: RefObject<HTMLDivElement>,
  generation: number,
): SnapshotFeedState {
  const filterKey = snapshotFiltersToSearch(filters);
  const feed = useRef(new SnapshotFeed()).current;
  const [, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const nextCursor = useRef<string | undefined>(undefined);
  const loadingMore = useRef(false);
  const atTop = useRef(true);
  const pointerInside = useRef(false);
  const holding = () => paused || !atTop.current || pointerInside.current;
  /** Live snapshots that came while the first page was on its way, placed on top of it. */
  const arrivedWhileLoading = useRef<SnapshotSummaryJson[] | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    arrivedWhileLoading.current = [];
    api
      .snapshots({ ...filters, limit: PAGE_SIZE }, controller.signal)
      .then((page) => {
        feed.reset(page.snapshots, filters);
        feed.receive(arrivedWhileLoading.current ?? [], false);
        arrivedWhileLoading.current = null;
        nextCursor.current = page.nextCursor;
        setError(null);
        setLoading(false);
        rerender();
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        arrivedWhileLoading.current = null;
        setError(reason instanceof Error ? reason.message : String(reason));
        setLoading(false);
      });
    return () => controller.abort();
  }, [filterKey, feed, rerender, generation]);

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      // Clear deletes snapshots with the traces.
      feed.clear();
      nextCursor.current = undefined;
      rerender();
      return;
    }
    if (message.type !== "snapshots") return;
    if (arrivedWhileLoading.current !== null) {
      arrivedWhileLoading.current.push(...message.snapshots);
      return;
    }
    const { changed, held } = feed.receive(message.snapshots, holding());
    if (changed || held) rerender();
  });

  const release = useCallback(() => {
    if (feed.release()) rerender();
  }, [feed, rerender]);

  const loadMore = useCallback(() => {
    const cursor = nextCursor.current;
    if (cursor === undefined || loadingMore.current) return;
    loadingMore.current = true;
    api
      .snapshots({ ...filters, limit: PAGE_SIZE, cursor })
      .then((page) => {
        feed.append(page.snapshots);
        nextCursor.current = page.nextCursor;
        rerender();
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)))
      .finally(() => {
        loadingMore.current = false;
      });
  }, [filters, feed, rerender]);

  const onScroll = useCallback(
    (top: number) => {
      const wasAtTop = atTop.current;
      atTop.current = top < rowHeight / 2;
      if (atTop.current && !wasAtTop && !paused && !pointerInside.current) release();
      const element = scrollRef.current;
      if (element && top + element.clientHeight > element.scrollHeight - rowHeight * 10) loadMore();
    },
    [paused, release, loadMore, rowHeight, scrollRef],
  );

  const showNew = useCallback(() => {
    setPaused(false);
    release();
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
  }, [release, scrollRef]);

  return {
    feed,
    loading,
    error,
    hasMore: nextCursor.current !== undefined,
    paused,
    pause: () => setPaused(true),
    showNew,
    onScroll,
    setPointerInside(inside: boolean) {
      pointerInside.current = inside;
      if (!inside && atTop.current && !paused) release();
    },
  };
}
