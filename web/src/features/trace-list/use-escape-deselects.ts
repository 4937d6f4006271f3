import { useLayoutEffect, useRef } from "preact/hooks";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";

/**
 * Escape lets go of the row the keyboard selected (`keyboardRow`): `deselect` clears the selection, and
 * the list takes the traces that waited for it. Not a key a text field, the latency chart or the
 * shortcut sheet took first, and nothing without a keyboard row.
 */
export function useEscapeDeselects(keyboardRow: { current: boolean }, deselect: () => void): void {
  const latest = useRef(deselect);
  latest.current = deselect;
  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key !== "Escape" || !keyboardRow.current) return;
      if (!isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen()) return;
      keyboardRow.current = false;
      latest.current();
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [keyboardRow]);
}
