import type { AttrValue, ValueStep } from "../../../src/protocol";
import { bytesNote, nestedBytesNotes } from "../lib/bytes-note";

/**
 * Says that a value shown as base64 text was sent as bytes, and how many; `at`: where it is inside a
 * list or map value shown as JSON (`[1].id`).
 */
export function BytesNote({ base64, at }: { base64: string; at?: string }) {
  return (
    <span class="tv-bytes-note" data-testid="bytes-note" title="Sent as OTLP bytes; shown as base64">
      {at === undefined ? bytesNote(base64) : `${at}: ${bytesNote(base64)}`}
    </span>
  );
}

/**
 * A note for each bytes value inside a list or map value (`paths`: where they are); past a few, the
 * rest in one note that lists them in its tooltip.
 */
export function NestedBytesNotes({ value, paths }: { value: AttrValue; paths: readonly (readonly ValueStep[])[] }) {
  if (paths.length === 0) return null;
  const { notes, rest } = nestedBytesNotes(value, paths);
  return (
    <>
      {notes.map(({ at, base64 }) => (
        <BytesNote key={at} base64={base64} at={at} />
      ))}
      {rest !== null && (
        <span class="tv-bytes-note" data-testid="bytes-note-rest" title={rest.title}>
          {rest.text}
        </span>
      )}
    </>
  );
}
