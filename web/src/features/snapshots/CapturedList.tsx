import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { NewItemsPill, PauseButton } from "../../components/LiveListControls";
import { useListKeys } from "../../components/use-list-keys";
import { VirtualList } from "../../components/VirtualList";
import { formatCount } from "../../lib/format";
import { replaceSearchParam } from "../../lib/url";
import { useHistoryReturn } from "../../lib/use-history-return";
import { SnapshotRow } from "./SnapshotRow";
import type { SnapshotFilters } from "./snapshot-feed";
import { useSnapshotFeed } from "./use-snapshot-feed";

const ROW_HEIGHT = 34;

export interface CapturedListProps {
  filters: SnapshotFilters;
  generation: number;
  nowMs: number;
  /** The filter bar, above the rows. */
  toolbar: preact.ComponentChildren;
}

/** The captured snapshots, newest first, live; j/k select and Enter opens, as in the trace list. */
export function CapturedList({ filters, generation, nowMs, toolbar }: CapturedListProps) {
  const { route } = useLocation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const list = useSnapshotFeed(filters, ROW_HEIGHT, scrollRef, generation);
  const rows = list.feed.rows;
  const [selectedId, setSelectedId] = useState<string | null>(() =>
    new URLSearchParams(location.search).get("selected"),
  );
  const [scrollToIndex, setScrollToIndex] = useState<number | null>(null);
  const selectedIndex = selectedId === null ? -1 : rows.indexOf(selectedId);

  const select = useCallback(
    (index: number) => {
      const snapshot = rows.list[index];
      if (!snapshot) return;
      setSelectedId(snapshot.id);
      setScrollToIndex(index);
      replaceSearchParam("selected", snapshot.id);
    },
    [rows],
  );
  const open = useCallback(
    (id: string) => {
      replaceSearchParam("selected", id);
      route(`/snapshots/${encodeURIComponent(id)}`);
    },
    [route],
  );

  // The selected capture (Back from it, a reload, a shared link) is scrolled into view once it is listed.
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || list.loading || selectedIndex < 0) return;
    restored.current = true;
    setScrollToIndex(selectedIndex);
  }, [list.loading, selectedIndex]);
  // Back or Forward across a filter pick selects the capture that step of history had.
  useHistoryReturn(() => {
    setSelectedId(new URLSearchParams(location.search).get("selected"));
    restored.current = false;
  });

  useListKeys({
    count: rows.size,
    selectedIndex,
    select,
    open: (index) => open((rows.list[index] as SnapshotSummaryJson).id),
  });

  const count = rows.size;
  return (
    <section class="snap-captured" aria-label="Captured snapshots">
      <div class="snap-captured-head">
        <h2>Captured</h2>
        {toolbar}
        <span class="muted" data-testid="snapshot-count">
          {formatCount(count)} snapshot{count === 1 ? "" : "s"}
          {list.hasMore ? "+" : ""}
        </span>
        <PauseButton
          paused={list.paused}
          noun="snapshot"
          onToggle={() => (list.paused ? list.showNew() : list.pause())}
        />
      </div>
      {list.error !== null && (
        <div class="error-banner" role="alert">
          Could not load snapshots: {list.error}
        </div>
      )}
      <div class="snap-table">
        {/*
         * The labels are for the eye (the list names itself); the pill at the end of the places' label is
         * a button, there too while paused before the first capture.
         */}
        {(count > 0 || list.feed.pendingCount > 0) && (
          <div class="snap-columns">
            <span class="snap-col-time" aria-hidden="true">
              Captured
            </span>
            <span class="snap-col-label" aria-hidden="true">
              Label
            </span>
            <span class="snap-col-service" aria-hidden="true">
              Service
            </span>
            <span class="snap-col-where label-with-pill">
              <span aria-hidden="true">Where</span>
              <NewItemsPill
                count={list.feed.pendingCount}
                noun="snapshot"
                testId="new-snapshots"
                onShow={list.showNew}
              />
            </span>
            <span class="snap-col-vars" aria-hidden="true">
              Variables
            </span>
            <span class="snap-col-flags" aria-hidden="true">
              Flags
            </span>
            <span class="snap-col-trace" aria-hidden="true">
              Trace
            </span>
          </div>
        )}
        {count === 0 && !list.loading ? (
          <p class="snap-none muted">
            No snapshots {filters.service || filters.breakpointId ? "match these filters " : ""}yet. Enable a breakpoint
            and send a request through it: its capture appears here live.
          </p>
        ) : (
          <VirtualList
            class="snap-rows"
            count={count}
            rowHeight={ROW_HEIGHT}
            scrollRef={scrollRef}
            scrollToIndex={scrollToIndex}
            onScroll={list.onScroll}
            onPointerEnter={() => list.setPointerInside(true)}
            onPointerLeave={() => list.setPointerInside(false)}
            rowKey={(index) => (rows.list[index] as SnapshotSummaryJson).id}
            role="listbox"
            aria-label="Captured snapshots, newest first"
            aria-activedescendant={selectedId !== null ? `snapshot-${selectedId}` : undefined}
            renderRow={(index) => {
              const snapshot = rows.list[index] as SnapshotSummaryJson;
              return (
                <SnapshotRow
                  snapshot={snapshot}
                  selected={index === selectedIndex}
                  nowMs={nowMs}
                  traceStored={list.feed.traceStored(snapshot)}
                  onSelect={() => select(index)}
                  onOpen={() => open(snapshot.id)}
                  onOpenTrace={(href) => route(href)}
                />
              );
            }}
          />
        )}
      </div>
    </section>
  );
}
