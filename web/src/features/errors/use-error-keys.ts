import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ErrorGroupJson } from "../../../../src/protocol";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";
import { useListKeys } from "../../components/use-list-keys";
import { replaceSearchParam } from "../../lib/url";
import { useHistoryReturn } from "../../lib/use-history-return";
import { type ErrorKeyRow, errorKeyIndex, errorKeyRows, failingSpanLink } from "./errors-model";
import { type ErrorPlace, linkedKeyRow, selectedParam } from "./errors-url";

/** The keys that open (or close) the selected group, or open the selected trace. */
const OPEN_KEYS = ["Enter", "o"] as const;

export interface ErrorKeys {
  /** The open group's id, or null. */
  open: string | null;
  setOpen(id: string | null): void;
  /** The keyboard's row as drawn (a trace row whose group closed falls back to the group's), or null. */
  selected: ErrorKeyRow | null;
  select(row: ErrorKeyRow): void;
  /** A click on a row makes it the keyboard's: the list's capturing click handler. */
  selectClicked(event: MouseEvent): void;
  /** Both as the address holds them, for a filter's new address to keep. */
  place: ErrorPlace;
}

interface ErrorView {
  open: string | null;
  /** The row picked since the page opened; null until then (the address's `?selected=` stands). */
  chosen: ErrorKeyRow | null;
}

/**
 * The Errors page's open group and keys, the trace list's (use-list-keys.ts): j/k and arrows move
 * through the groups and the open group's newest traces, Home/End jump, Enter or o opens or closes a
 * group or opens a trace on its failing span, Escape closes the open group (as it closes a log record
 * on the Logs page). Both the open group (`?group=`) and the keyboard's row (`?selected=`) are kept in
 * the current history entry, replaced, never pushed, so Back from a trace, a reload and a shared link
 * show the page as it was left; Back or Forward across a filter pick reads them again from the entry.
 */
export function useErrorKeys(
  shown: readonly ErrorGroupJson[],
  route: (url: string) => void,
  /** Brings a row's own line into view (an open group's line, not its whole details); the list may draw only those in view. */
  scrollRowIntoView: (row: ErrorKeyRow) => void,
): ErrorKeys {
  const [linked, setLinked] = useState(() => new URLSearchParams(location.search).get("selected"));
  const [view, setView] = useState<ErrorView>(() => ({
    open: new URLSearchParams(location.search).get("group"),
    chosen: null,
  }));
  // A click selects its row (capturing) before the row's own button opens it: both in one event.
  const latest = useRef(view);

  // Back or Forward to another entry of this page (across a filter pick) shows the group and row that
  // entry keeps, not the ones open when the reader left it.
  useHistoryReturn(() => {
    const params = new URLSearchParams(location.search);
    latest.current = { open: params.get("group"), chosen: null };
    setView(latest.current);
    setLinked(params.get("selected"));
  });
  const { open } = view;
  const rows = errorKeyRows(shown, open);
  const selectedIndex = errorKeyIndex(rows, view.chosen ?? linkedKeyRow(rows, linked, open));
  const selected = rows[selectedIndex] ?? null;
  const drawn = useRef(selected);
  drawn.current = selected;

  // Written at once, not in an effect: a click that selects a row may also leave for a trace.
  const update = (patch: Partial<ErrorView>) => {
    const next = { ...latest.current, ...patch };
    next.chosen ??= drawn.current;
    latest.current = next;
    setView(next);
    replaceSearchParam("group", next.open);
    replaceSearchParam("selected", selectedParam(next.chosen, next.open));
  };
  const updateRef = useRef(update);
  updateRef.current = update;

  useListKeys({
    count: rows.length,
    selectedIndex,
    select: (index) => {
      const row = rows[index];
      if (!row) return;
      update({ chosen: row });
      scrollRowIntoView(row);
    },
    open: (index) => {
      const row = rows[index];
      if (!row) return;
      if (row.traceId === null) {
        update({ chosen: row, open: open === row.groupId ? null : row.groupId });
        return;
      }
      const trace = shown.find((g) => g.id === row.groupId)?.latest.find((l) => l.traceId === row.traceId);
      if (trace) route(failingSpanLink(trace.traceId, trace.spanId));
    },
    openKeys: OPEN_KEYS,
  });

  useLayoutEffect(() => {
    if (open === null) return;
    const openId = open;
    function onKey(event: KeyboardEvent) {
      if (event.key !== "Escape" || !isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen())
        return;
      // The keyboard stays where it was: on the group's own line when it was in the group.
      const row = drawn.current;
      updateRef.current({
        open: null,
        chosen: row === null || row.groupId === openId ? { groupId: openId, traceId: null } : row,
      });
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return {
    open,
    setOpen: (id) => update({ open: id }),
    selected,
    select: (row) => update({ chosen: row }),
    // Capturing, so a row's own button that selects another group ("passed along from") has the last word.
    selectClicked: (event) => {
      const item = (event.target as Element).closest<HTMLElement>("[role='treeitem']");
      const groupId = item?.closest<HTMLElement>("[data-group-id]")?.dataset.groupId;
      if (!item || groupId === undefined) return;
      update({ chosen: { groupId, traceId: item.dataset.traceId ?? null } });
    },
    place: { group: open, selected: view.chosen === null ? linked : selectedParam(view.chosen, open) },
  };
}
