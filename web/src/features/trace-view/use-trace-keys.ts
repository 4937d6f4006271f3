import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";
import { type BackTarget, backTarget } from "./url-state";

export interface TraceKeyHandlers {
  move(delta: number): void;
  first(): void;
  last(): void;
  left(): void;
  right(): void;
  toggle(): void;
  back(): void;
  /** e / E: next / previous failing span. */
  error(direction: 1 | -1): void;
  /** + / −: zoom the time window in (1) or out (-1); 0 shows the whole trace. */
  zoom(direction: 1 | -1 | 0): void;
  /** [ / ]: move the zoomed window earlier (-1) or later (1). */
  pan(direction: 1 | -1): void;
  /** c: highlight the critical path, or stop. */
  critical(): void;
}

/** Elements whose own Enter must keep working (a focused button, link or disclosure). */
function activatesOnEnter(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("button, a[href], summary, [role='button']") !== null;
}

function actionFor(event: KeyboardEvent, on: Partial<TraceKeyHandlers>): (() => void) | undefined {
  switch (event.key) {
    case "j":
    case "ArrowDown":
      return on.move && (() => on.move?.(1));
    case "k":
    case "ArrowUp":
      return on.move && (() => on.move?.(-1));
    case "Home":
      return on.first;
    case "End":
      return on.last;
    case "ArrowLeft":
      return on.left;
    case "ArrowRight":
      return on.right;
    case "Enter":
      return activatesOnEnter(event.target) ? undefined : on.toggle;
    case "Escape":
      return on.back;
    case "e":
      return on.error && (() => on.error?.(1));
    case "E":
      return on.error && (() => on.error?.(-1));
    case "+":
    case "=":
      return on.zoom && (() => on.zoom?.(1));
    case "-":
      return on.zoom && (() => on.zoom?.(-1));
    case "0":
      return on.zoom && (() => on.zoom?.(0));
    case "c":
      return on.critical;
    case "[":
      return on.pan && (() => on.pan?.(-1));
    case "]":
      return on.pan && (() => on.pan?.(1));
    default:
      return undefined;
  }
}

/** Where the trace page's back link leads, read once as the page opens (history before it does not change while it is open). */
export function useBackTarget(): BackTarget {
  const location = useLocation();
  // preact-iso knows whether this entry was pushed by an in-app link (not in its typings).
  const wasPush = (location as { wasPush?: boolean }).wasPush === true;
  const [target] = useState(() => backTarget(wasPush));
  return target;
}

/** Leaves the trace page: back to the page it was opened from, with its filters, when that is there; else to the list. */
export function useBackToList(): () => void {
  const location = useLocation();
  return () => {
    const wasPush = (location as { wasPush?: boolean }).wasPush === true;
    const { steps } = backTarget(wasPush);
    if (steps > 0) history.go(-steps);
    else location.route("/");
  };
}

/**
 * The trace page's keys: j/k and arrows move, ←/→ collapse and expand, Enter toggles, e/E go to the
 * next/previous failing span, + / − / 0 zoom the timeline and [ / ] pan it, Escape leaves a text field or, elsewhere, goes back to the list. The app shell keeps `?` and `/`.
 */
export function useTraceKeys(handlers: Partial<TraceKeyHandlers>): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  // A layout effect: the keys work from the first painted frame, not one frame later.
  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!isShortcutCandidate(event) || isDialogOpen()) return;
      if (isTypingTarget(event.target)) {
        if (event.key === "Escape") {
          (event.target as HTMLElement).blur();
          event.preventDefault();
        }
        return;
      }
      const on = latest.current;
      const action = actionFor(event, on);
      if (!action) return;
      action();
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
