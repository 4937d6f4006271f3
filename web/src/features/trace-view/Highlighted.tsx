import { highlightSegments } from "./trace-search";

/** Text with every occurrence of `query` wrapped in <mark>; text nodes only, never HTML. */
export function Highlighted({ text, query }: { text: string; query: string }) {
  if (query === "") return <>{text}</>;
  const segments = highlightSegments(text, query);
  if (segments.length === 1 && !segments[0]!.match) return <>{text}</>;
  return (
    <>
      {segments.map((segment, i) =>
        segment.match ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>,
      )}
    </>
  );
}
