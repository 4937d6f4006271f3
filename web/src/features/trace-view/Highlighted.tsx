import type { ComponentChildren } from "preact";
import { highlightSegments } from "./trace-search";

/**
 * Text with every occurrence of `query` wrapped in <mark>; text nodes only, never HTML. `render`
 * draws each piece of text (the whole text, or a segment in or outside a mark); by default as is.
 */
export function Highlighted({
  text,
  query,
  render = (piece) => piece,
}: {
  text: string;
  query: string;
  render?: (piece: string) => ComponentChildren;
}) {
  if (query === "") return <>{render(text)}</>;
  const segments = highlightSegments(text, query);
  if (segments.length === 1 && !segments[0]!.match) return <>{render(text)}</>;
  return (
    <>
      {segments.map((segment, i) =>
        segment.match ? <mark key={i}>{render(segment.text)}</mark> : <span key={i}>{render(segment.text)}</span>,
      )}
    </>
  );
}
