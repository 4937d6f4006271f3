const SHORTCUTS: [string, string][] = [
  ["j / ↓", "next trace or span"],
  ["k / ↑", "previous trace or span"],
  ["Enter", "open the selected trace"],
  ["← / →", "collapse / expand the selected span"],
  ["/", "search on this page"],
  ["Esc", "leave the search, close a panel, back to the list"],
  ["?", "show or hide these shortcuts"],
];

export function ShortcutSheet({ onClose }: { onClose(): void }) {
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click beside the dialog closes it; Escape is handled app-wide
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled app-wide
    <div class="modal-backdrop" onClick={onClose}>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: only stops clicks inside from closing the dialog */}
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(event) => event.stopPropagation()}
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
      </div>
    </div>
  );
}
