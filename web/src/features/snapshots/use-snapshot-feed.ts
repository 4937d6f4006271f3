import type { RefObject } from "preact";
import { useCallback, useRef, useState } from "preact/hooks";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useHeldList } from "../../lib/use-held-list";
import { usePagedList } from "../../lib/use-paged-list";
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
  const paged = usePagedList<SnapshotSummaryJson>({
    key: `${filterKey} ${generation}`,
    fetchPage: (cursor, signal) =>
      api.snapshots({ ...filters, limit: PAGE_SIZE, cursor }, signal).then((page) => {
        // Older servers do not say; their rows then link once a live update brings the trace.
        feed.tracesStored(page.storedTraceIds ?? []);
        return { items: page.snapshots, nextCursor: page.nextCursor };
      }),
    onFirstPage(items, arrivedMeanwhile) {
      feed.reset(items, filters);
      feed.receive(arrivedMeanwhile, false);
    },
    onOlderPage: (items) => feed.append(items),
    rerender,
  });

  const release = useCallback(() => {
    if (feed.release()) rerender();
  }, [feed, rerender]);

  const hold = useHeldList({ rowHeight, scrollRef, release, loadMore: paged.loadMore });

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      // Clear deletes snapshots with the traces.
      feed.clear();
      paged.nextCursor.current = undefined;
      rerender();
      return;
    }
    if (message.type === "traces") {
      if (feed.tracesStored(message.traces.map((t) => t.traceId))) rerender();
      return;
    }
    if (message.type !== "snapshots") return;
    if (paged.deferWhileLoading(message.snapshots)) return;
    const { changed, held } = feed.receive(message.snapshots, hold.holding());
    if (changed || held) rerender();
  });

  return {
    feed,
    loading: paged.loading,
    error: paged.error,
    hasMore: paged.nextCursor.current !== undefined,
    paused: hold.paused,
    pause: hold.pause,
    showNew: hold.showNew,
    onScroll: hold.onScroll,
    setPointerInside: hold.setPointerInside,
  };
}
