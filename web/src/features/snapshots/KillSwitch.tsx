/**
 * The global kill switch: while it is on, no SDK captures anything. Its state is written out, not
 * just coloured; turning it on asks first (it silences every service at once).
 */
export function KillSwitch({ on, onChange }: { on: boolean; onChange(enabled: boolean): void }) {
  return (
    <div class={`kill-switch${on ? " on" : ""}`} data-testid="kill-switch">
      <span class="kill-switch-state" role="status">
        Kill switch <strong>{on ? "ON" : "off"}</strong>
        <span class="faint">{on ? " · no SDK captures snapshots" : " · breakpoints capture when enabled"}</span>
      </span>
      <button
        type="button"
        class={on ? "button" : "button danger"}
        aria-pressed={on}
        onClick={() => {
          if (on) onChange(false);
          else if (confirm("Turn the kill switch on? Every SDK stops capturing snapshots until you turn it off.")) {
            onChange(true);
          }
        }}
      >
        {on ? "Turn off" : "Turn on…"}
      </button>
    </div>
  );
}
