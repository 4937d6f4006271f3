import { useState } from "preact/hooks";
import type { ErrorGroupJson } from "../../../../src/protocol";
import { useListKeys } from "../../components/use-list-keys";
import { type ErrorKeyRow, errorKeyIndex, errorKeyRowId, errorKeyRows, failingSpanLink } from "./errors-model";

/** The keys that open (or close) the selected group, or open the selected trace. */
const OPEN_KEYS = ["Enter", "o"] as const;

export interface ErrorKeys {
  /** The keyboard's row as drawn (a trace row whose group closed falls back to the group's), or null. */
  selected: ErrorKeyRow | null;
  select(row: ErrorKeyRow): void;
  /** A click on a row makes it the keyboard's: the list's capturing click handler. */
  selectClicked(event: MouseEvent): void;
}

/** Scrolls a keyboard row's own line into view (an open group's line, not its whole details). */
function scrollRowIntoView(row: ErrorKeyRow): void {
  const element = document.getElementById(errorKeyRowId(row));
  const line = row.traceId === null ? element?.querySelector(".error-group-row") : element;
  line?.scrollIntoView({ block: "nearest" });
}

/**
 * The Errors page's keys, the trace list's (use-list-keys.ts): j/k and arrows move through the groups
 * and the open group's newest traces, Home/End jump, Enter or o opens or closes a group or opens a
 * trace on its failing span. The open group is selected at first (Back from one of its traces).
 */
export function useErrorKeys(
  shown: readonly ErrorGroupJson[],
  open: string | null,
  setOpen: (id: string | null) => void,
  route: (url: string) => void,
): ErrorKeys {
  const [chosen, setChosen] = useState<ErrorKeyRow | null>(() =>
    open === null ? null : { groupId: open, traceId: null },
  );
  const rows = errorKeyRows(shown, open);
  const selectedIndex = errorKeyIndex(rows, chosen);
  useListKeys({
    count: rows.length,
    selectedIndex,
    select: (index) => {
      const row = rows[index];
      if (!row) return;
      setChosen(row);
      scrollRowIntoView(row);
    },
    open: (index) => {
      const row = rows[index];
      if (!row) return;
      if (row.traceId === null) {
        setChosen(row);
        setOpen(open === row.groupId ? null : row.groupId);
        return;
      }
      const trace = shown.find((g) => g.id === row.groupId)?.latest.find((l) => l.traceId === row.traceId);
      if (trace) route(failingSpanLink(trace.traceId, trace.spanId));
    },
    openKeys: OPEN_KEYS,
  });
  return {
    selected: rows[selectedIndex] ?? null,
    select: setChosen,
    // Capturing, so a row's own button that selects another group ("passed along from") has the last word.
    selectClicked: (event) => {
      const item = (event.target as Element).closest<HTMLElement>("[role='treeitem']");
      const groupId = item?.closest<HTMLElement>("[data-group-id]")?.dataset.groupId;
      if (!item || groupId === undefined) return;
      setChosen({ groupId, traceId: item.dataset.traceId ?? null });
    },
  };
}
