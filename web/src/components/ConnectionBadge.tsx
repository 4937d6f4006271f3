import { useLiveState } from "../state/live-context";

const LABELS = { open: "Live", connecting: "Connecting…", closed: "Reconnecting…" } as const;
const TITLES = {
  open: "Connected: new traces appear as they arrive",
  connecting: "Connecting to tracekit-local",
  closed: "Lost the connection to tracekit-local; retrying",
} as const;

export function ConnectionBadge() {
  const { status } = useLiveState();
  return (
    <span class={`connection connection-${status}`} title={TITLES[status]} role="status" data-connection={status}>
      <span class="connection-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
