import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";
import { VirtualList } from "../../components/VirtualList";
import { replaceSearchParam } from "../../lib/url";
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

  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen()) return;
      const count = rows.size;
      if (count === 0) return;
      if (event.key === "j" || event.key === "ArrowDown") select(Math.min(count - 1, selectedIndex + 1));
      else if (event.key === "k" || event.key === "ArrowUp") select(Math.max(0, selectedIndex - 1));
      else if (event.key === "Enter" && selectedIndex >= 0) open((rows.list[selectedIndex] as SnapshotSummaryJson).id);
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, select, open, selectedIndex]);

  const count = rows.size;
  return (
    <section class="snap-captured" aria-label="Captured snapshots">
      <div class="snap-captured-head">
        <h2>Captured</h2>
        {toolbar}
        <span class="muted" data-testid="snapshot-count">
          {count.toLocaleString("en-US")} snapshot{count === 1 ? "" : "s"}
          {list.hasMore ? "+" : ""}
        </span>
        <button
          type="button"
          class="button"
          aria-pressed={list.paused}
          title="Stop adding new snapshots to the list while you read it"
          onClick={() => (list.paused ? list.showNew() : list.pause())}
        >
          {list.paused ? "Resume" : "Pause"}
        </button>
      </div>
      {list.error !== null && (
        <div class="error-banner" role="alert">
          Could not load snapshots: {list.error}
        </div>
      )}
      <div class="snap-table">
        <div class="snap-columns" aria-hidden="true">
          <span>Captured</span>
          <span>Label</span>
          <span>Service</span>
          <span>Where</span>
          <span>Variables</span>
          <span>Flags</span>
          <span>Trace</span>
        </div>
        {list.feed.pendingCount > 0 && (
          <button type="button" class="new-traces-pill" onClick={list.showNew} data-testid="new-snapshots">
            ↑ {list.feed.pendingCount} new snapshot{list.feed.pendingCount === 1 ? "" : "s"}
          </button>
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
                  onSelect={() => select(index)}
                  onOpen={() => open(snapshot.id)}
                />
              );
            }}
          />
        )}
      </div>
    </section>
  );
}
