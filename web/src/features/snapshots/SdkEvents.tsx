import type { SdkEventJson } from "../../../../src/protocol";
import { formatAbsolute, formatRelative } from "../../lib/format";
import { describeSdkEvent } from "./snapshot-text";

/** A quiet list of what the SDKs reported about themselves, newest first; the newest is visible. */
export function SdkEvents({ events, nowMs }: { events: SdkEventJson[]; nowMs: number }) {
  const [newest, ...older] = events;
  if (!newest) return null;
  const line = (event: SdkEventJson) => {
    const at = Date.parse(event.receivedAt);
    return (
      <li key={event.id}>
        <span>{describeSdkEvent(event, nowMs)}</span>{" "}
        <span class="faint" title={formatAbsolute(at)}>
          {formatRelative(at, nowMs)}
        </span>
      </li>
    );
  };
  return (
    <details class="sdk-events" data-testid="sdk-events">
      <summary>
        <span class="sdk-events-title">SDK</span> {describeSdkEvent(newest, nowMs)}{" "}
        <span class="faint">{formatRelative(Date.parse(newest.receivedAt), nowMs)}</span>
        {older.length > 0 && <span class="faint"> · {older.length} earlier</span>}
      </summary>
      <ul>{events.map(line)}</ul>
    </details>
  );
}
