import { useLayoutEffect } from "preact/hooks";
import { isDialogOpen, isPressable, isShortcutCandidate, isTypingTarget } from "./keyboard";

export interface ListKeys {
  count: number;
  /** -1 when nothing is selected. */
  selectedIndex: number;
  select(index: number): void;
  open(index: number): void;
  /** The keys that open the selected row; Enter alone unless the page adds one ("o"). */
  openKeys?: readonly string[];
}

const ENTER = ["Enter"] as const;

/**
 * A list page's keys: j/k or arrows move the selection, Home/End jump, Enter (or the page's
 * `openKeys`) opens. Registered in a layout effect, so they work from the first painted frame.
 */
export function useListKeys({ count, selectedIndex, select, open, openKeys = ENTER }: ListKeys): void {
  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen()) return;
      if (count === 0) return;
      if (event.key === "j" || event.key === "ArrowDown") {
        select(selectedIndex < 0 ? 0 : Math.min(count - 1, selectedIndex + 1));
      } else if (event.key === "k" || event.key === "ArrowUp") {
        select(selectedIndex < 0 ? 0 : Math.max(0, selectedIndex - 1));
      } else if (openKeys.includes(event.key) && selectedIndex >= 0) {
        // Enter on a focused button or link presses that, not the selected row.
        if (event.key === "Enter" && isPressable(event.target)) return;
        open(selectedIndex);
      } else if (event.key === "Home") {
        select(0);
      } else if (event.key === "End") {
        select(count - 1);
      } else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [count, selectedIndex, select, open, openKeys]);
}
