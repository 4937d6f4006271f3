import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { clipText, LONG_TEXT } from "../lib/long-text";

/**
 * Text cut at `limit` characters until "show all" is clicked (telemetry stays text, never HTML);
 * `render` draws the shown part (e.g. with search matches highlighted).
 */
export function LongText({
  text,
  limit = LONG_TEXT,
  render = (shown) => shown,
}: {
  text: string;
  limit?: number;
  render?: (shown: string) => ComponentChildren;
}) {
  const [expanded, setExpanded] = useState(false);
  const long = text.length > limit;
  return (
    <>
      {render(long && !expanded ? clipText(text, limit) : text)}
      {long && (
        <button type="button" class="tv-link-button tv-show-all" onClick={() => setExpanded(!expanded)}>
          {expanded ? "show less" : `show all (${text.length.toLocaleString("en-US")} chars)`}
        </button>
      )}
    </>
  );
}
