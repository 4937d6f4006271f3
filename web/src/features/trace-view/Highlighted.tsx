import type { ComponentChildren } from "preact";
import { UserText, withBidiMarks } from "../../components/UserText";
import { highlightSegments } from "./trace-search";

/**
 * Telemetry text (see UserText) with every occurrence of `query` wrapped in <mark>; text nodes only,
 * never HTML. Matches are found in the text as stored. `render` draws each piece of text (the whole
 * text, or a segment in or outside a mark); by default with its bidirectional controls shown.
 */
export function Highlighted({
  text,
  query,
  render = withBidiMarks,
}: {
  text: string;
  query: string;
  render?: (piece: string) => ComponentChildren;
}) {
  if (query === "") return <UserText text={text} render={render} />;
  const segments = highlightSegments(text, query);
  if (segments.length === 1 && !segments[0]!.match) return <UserText text={text} render={render} />;
  return (
    <bdi class="user-text">
      {segments.map((segment, i) =>
        segment.match ? <mark key={i}>{render(segment.text)}</mark> : <span key={i}>{render(segment.text)}</span>,
      )}
    </bdi>
  );
}
