import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ErrorGroupJson, ErrorGroupsResponse } from "../../../../src/protocol";
import { VirtualList } from "../../components/VirtualList";
import { ErrorGroupRow } from "./ErrorGroupRow";
import { groupLayout, SLOT_PX, scrollTopToShow } from "./error-list-layout";
import { type ErrorKeyRow, errorKeyRowId } from "./errors-model";
import type { ErrorKeys } from "./use-error-keys";
import type { HeldErrorGroups } from "./use-held-groups";

/** The window is narrow enough that each group's numbers wrap under its title (errors.css). */
function useNarrow(): boolean {
  const query = "(max-width: 700px)";
  const [narrow, setNarrow] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const changed = () => setNarrow(list.matches);
    list.addEventListener("change", changed);
    return () => list.removeEventListener("change", changed);
  }, []);
  return narrow;
}

/** The open group's height in slots, as drawn (its details' height is its stack's, its traces'…). */
function useOpenSlots(open: string | null): { slots: number | null; measure: (element: HTMLElement | null) => void } {
  const [measured, setMeasured] = useState<{ id: string; slots: number } | null>(null);
  const observer = useRef<{ element: HTMLElement; observer: ResizeObserver } | null>(null);
  const measure = (element: HTMLElement | null) => {
    if (observer.current?.element === element && element !== null) return;
    observer.current?.observer.disconnect();
    observer.current = null;
    if (element === null || open === null) return;
    const id = open;
    const read = () => {
      const slots = Math.ceil(element.offsetHeight / SLOT_PX);
      setMeasured((was) => (was?.id === id && was.slots === slots ? was : { id, slots }));
    };
    observer.current = { element, observer: new ResizeObserver(read) };
    observer.current.observer.observe(element);
  };
  useEffect(() => () => observer.current?.observer.disconnect(), []);
  return { slots: measured !== null && measured.id === open ? measured.slots : null, measure };
}

/**
 * The groups, virtualized: a tree the keyboard walks (j/k move page-wide), which keeps focus and names
 * the keyboard's row its active descendant; only the groups in view are drawn, so thousands reached by
 * "more" cost what a screenful does. `scrollTo` is set to bring a keyboard row into view.
 */
export function ErrorGroupList(props: {
  shown: readonly ErrorGroupJson[];
  answer: ErrorGroupsResponse;
  /** The ids of the answer's groups, for "passed along from" to open one listed. */
  ids: ReadonlySet<string>;
  keys: ErrorKeys;
  held: HeldErrorGroups;
  now: number;
  onShowGroup(id: string): void;
  scrollTo: { current: (row: ErrorKeyRow) => void };
}) {
  const { shown, answer, keys, held, now } = props;
  const { open } = keys;
  const narrow = useNarrow();
  const openSlots = useOpenSlots(open);
  const layout = groupLayout(shown, narrow, open, openSlots.slots);
  const latest = useRef(layout);
  latest.current = layout;
  // The open group's measured height may change as it is drawn: the layout follows it (above).
  const measureRef = useRef(openSlots.measure);
  measureRef.current = openSlots.measure;
  useLayoutEffect(() => {
    if (open === null) return;
    measureRef.current(document.getElementById(errorKeyRowId({ groupId: open, traceId: null })));
  });

  props.scrollTo.current = (row) => {
    const element = held.scrollRef.current;
    const place = latest.current.byId.get(row.groupId);
    if (!element || place === undefined) return;
    const top = place.first * SLOT_PX;
    const height = (row.traceId === null ? place.lineSlots : place.slots) * SLOT_PX;
    const to = scrollTopToShow(element.scrollTop, element.clientHeight, top, height);
    if (to !== null) element.scrollTop = to;
    // A trace of the open group: its own line once the group is drawn.
    if (row.traceId !== null) {
      requestAnimationFrame(() => document.getElementById(errorKeyRowId(row))?.scrollIntoView({ block: "nearest" }));
    }
  };

  return (
    // A click selects its row (capturing) before the row's own button opens it.
    <div class="errors-list-frame" onClickCapture={keys.selectClicked}>
      <VirtualList
        class="errors-list"
        count={layout.slotCount}
        rowHeight={SLOT_PX}
        overscan={Math.max(8, layout.tallest)}
        scrollRef={held.scrollRef}
        onScroll={held.hold.onScroll}
        onPointerEnter={() => held.hold.setPointerInside(true)}
        onPointerLeave={() => held.hold.setPointerInside(false)}
        role="tree"
        aria-label="Error groups"
        tabIndex={0}
        aria-activedescendant={keys.selected === null ? undefined : errorKeyRowId(keys.selected)}
        rowKey={(slot) => {
          const at = layout.startsAt[slot] ?? -1;
          return at < 0 ? `slot-${slot}` : (layout.places[at] as { group: ErrorGroupJson }).group.id;
        }}
        renderRow={(slot) => {
          const at = layout.startsAt[slot] ?? -1;
          const place = layout.places[at];
          if (place === undefined) return null;
          const { group } = place;
          return (
            <ErrorGroupRow
              group={group}
              answer={answer}
              position={at + 1}
              setSize={shown.length}
              open={open === group.id}
              selected={keys.selected?.groupId === group.id && keys.selected.traceId === null}
              selectedTrace={keys.selected?.groupId === group.id ? keys.selected.traceId : null}
              now={now}
              onToggle={() => keys.setOpen(open === group.id ? null : group.id)}
              onShowGroup={props.ids.has(group.startedBelow?.[0]?.id ?? "") ? props.onShowGroup : null}
            />
          );
        }}
      />
    </div>
  );
}
