import { bytesNote } from "../lib/bytes-note";

/** Says that a value shown as base64 text was sent as bytes, and how many. */
export function BytesNote({ base64 }: { base64: string }) {
  return (
    <span class="tv-bytes-note" data-testid="bytes-note" title="Sent as OTLP bytes; shown as base64">
      {bytesNote(base64)}
    </span>
  );
}
