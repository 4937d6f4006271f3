import type { SdkPause } from "../../../../src/domain/sdk-pause";
import type { SdkEventJson } from "../../../../src/protocol";
import { withBidiMarks } from "../../components/UserText";
import { formatAbsolute, formatRelative } from "../../lib/format";
import { describeSdkEvent, laterPauseStarts } from "./snapshot-text";

/** A quiet list of what the SDKs reported about themselves, newest first; the newest is visible. */
export function SdkEvents({
  events,
  nowMs,
  pauses,
}: {
  events: SdkEventJson[];
  nowMs: number;
  /** Each service's SDK pause as the server keeps it (a capture from the service may have ended it). */
  pauses: Readonly<Record<string, SdkPause>> | undefined;
}) {
  const [newest, ...older] = events;
  if (!newest) return null;
  const later = laterPauseStarts(events);
  // The service, label and message are the SDK's text: their controls show as marks.
  const describe = (event: SdkEventJson) => withBidiMarks(describeSdkEvent(event, nowMs, pauses, later.get(event.id)));
  const line = (event: SdkEventJson) => {
    const at = Date.parse(event.receivedAt);
    return (
      <li key={event.id}>
        <span>{describe(event)}</span>{" "}
        <span class="faint" title={formatAbsolute(at)}>
          {formatRelative(at, nowMs)}
        </span>
      </li>
    );
  };
  return (
    <details class="sdk-events" data-testid="sdk-events">
      <summary>
        <span class="sdk-events-title">SDK</span> {describe(newest)}{" "}
        <span class="faint">{formatRelative(Date.parse(newest.receivedAt), nowMs)}</span>
        {older.length > 0 && <span class="faint"> · {older.length} earlier</span>}
      </summary>
      <ul>{events.map(line)}</ul>
    </details>
  );
}
