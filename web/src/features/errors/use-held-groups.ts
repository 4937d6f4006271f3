import { useCallback, useRef, useState } from "preact/hooks";
import type { ErrorGroupJson } from "../../../../src/protocol";
import { type HeldList, useHeldList } from "../../lib/use-held-list";
import { type HeldGroups, holdGroupOrder } from "./held-groups";

/** A group's line (error-list-layout.ts): near the top the list counts as not scrolled. */
const ROW_HEIGHT = 60;

export interface HeldErrorGroups extends HeldGroups {
  hold: HeldList;
  /** The list's scrolling element. */
  scrollRef: { current: HTMLDivElement | null };
}

/**
 * The Errors page's groups in an order that stands still while the reader is on them, as the trace list
 * and the Logs page hold new rows (`lib/use-held-list.ts`): while the pointer is on the list, the page is
 * scrolled down, or a group is open or selected (`reading`), each refresh keeps the order drawn when
 * holding began, new groups wait behind a pill, and leaving the list, scrolling back to the top (unless
 * reading) or the pill show the newest order. `listFor` names the list `fresh` is (the filters it answers):
 * another list, such as the answer to another order picked, is not held but drawn in its own order.
 */
export function useHeldGroups(
  fresh: readonly ErrorGroupJson[] | null,
  /** The answer's groups the page shows (the "where errors start" filter). */
  include: (group: ErrorGroupJson) => boolean,
  listFor: string,
  reading: () => boolean,
  /** Asks for the groups after those listed (called near the end of the list). */
  loadMore: () => void,
): HeldErrorGroups {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, setReleases] = useState(0);
  const held = useRef<{ order: string[]; listFor: string } | null>(null);
  const drawn = useRef<{ fresh: readonly ErrorGroupJson[] | null; order: string[]; listFor: string }>({
    fresh: null,
    order: [],
    listFor,
  });
  const release = useCallback(() => {
    if (held.current === null) return;
    held.current = null;
    setReleases((n) => n + 1);
  }, []);
  const hold = useHeldList({ rowHeight: ROW_HEIGHT, scrollRef, release, loadMore, reading });

  if (held.current !== null && held.current.listFor !== listFor) held.current = null;
  // A new answer once nothing holds the list any more (the reader let go without leaving it): the newest order.
  if (fresh !== drawn.current.fresh && held.current !== null && !hold.holding()) held.current = null;
  // A new answer for the list drawn, while the reader holds it: keep the order drawn until now.
  if (
    fresh !== drawn.current.fresh &&
    held.current === null &&
    drawn.current.listFor === listFor &&
    drawn.current.order.length > 0 &&
    hold.holding()
  ) {
    held.current = { order: drawn.current.order, listFor };
  }
  const shown = fresh?.filter(include) ?? [];
  const view: HeldGroups =
    held.current === null
      ? { groups: shown, newCount: 0, reordered: false }
      : holdGroupOrder(held.current.order, shown);
  drawn.current = { fresh, order: view.groups.map((group) => group.id), listFor };
  // The groups of a page more, drawn after the held ones, keep their place too.
  if (held.current !== null) held.current = { order: drawn.current.order, listFor };
  return { ...view, hold, scrollRef };
}
