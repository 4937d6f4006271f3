/**
 * The global kill switch: while it is on, no SDK captures anything. Its state is written out, not
 * just coloured; turning it on asks first (it silences every service at once).
 */
export function KillSwitch({
  on,
  listening,
  onChange,
}: {
  on: boolean;
  /** SDKs connected to the event stream now: they hear a change at once; the others at their next check. */
  listening: number;
  onChange(enabled: boolean): void;
}) {
  const state = on
    ? " · no SDK captures snapshots"
    : listening > 0
      ? " · breakpoints capture when enabled"
      : " · breakpoints capture when enabled, once each SDK checks in (it asks every 30–60 s while not listening live)";
  return (
    <div class={`kill-switch${on ? " on" : ""}`} data-testid="kill-switch">
      <span class="kill-switch-state" role="status">
        Kill switch <strong>{on ? "ON" : "off"}</strong>
        <span class="faint">{state}</span>
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
