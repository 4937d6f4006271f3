import { useLayoutEffect, useRef } from "preact/hooks";
import { trapTab } from "./focus-trap";

const SHORTCUTS: [string, string][] = [
  ["j / ↓", "next trace, span, snapshot, log record or error group (an open group's newest traces next)"],
  ["k / ↑", "previous trace, span, snapshot, log record or error group"],
  ["Home / End", "first / last trace, span, log record or error group"],
  ["Enter", "open the selected trace or snapshot, or a log record's trace; in a trace, expand or collapse the span"],
  ["Enter / o", "on Errors: open or close the selected group, or open the selected one of its newest traces"],
  ["← / →", "collapse / expand the selected span (← on a leaf goes to its parent)"],
  ["e / E", "in a trace: next / previous failing span"],
  ["+ / − / 0", "in a trace: zoom the timeline in (around the selected span), out, or back to the whole trace"],
  ["[ / ]", "in a trace: move the zoomed timeline earlier / later"],
  ["c", "in a trace: highlight the critical path, or stop"],
  ["Shift+arrows, Enter, Esc", "on the focused latency chart: draw a rectangle, filter the list to it, clear it"],
  ["/", "search on this page"],
  ["Enter / Shift+Enter", "in the trace search: next / previous match"],
  [
    "Esc",
    "leave the search, close this sheet, a log record's details, the open error group or the Compare popup, let go of the selected trace, back to the list",
  ],
  ["?", "show or hide these shortcuts"],
];

/**
 * The `?` sheet, a modal dialog: focus moves into it as it opens (to its Close button), Tab and Shift+Tab
 * stay inside it, and closing puts focus back where it was, so the keyboard never wanders behind it.
 */
export function ShortcutSheet({ onClose }: { onClose(): void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const before = document.activeElement;
    dialog.current?.querySelector<HTMLElement>("button")?.focus();
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click beside the dialog closes it; Escape is handled app-wide
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled app-wide
    <div class="modal-backdrop" onClick={onClose}>
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        ref={dialog}
        // A click on its text keeps focus in the dialog, where Tab stays.
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => trapTab(event, event.currentTarget)}
      >
        <div class="modal-header">
          <h2>Keyboard shortcuts</h2>
          <button type="button" class="icon-button" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <table class="shortcut-table">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted shortcut-setup">
          Connecting another app or SDK?{" "}
          <a href="/setup" onClick={onClose}>
            Set-up for each language
          </a>
        </p>
      </div>
    </div>
  );
}
