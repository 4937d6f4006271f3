import { useState } from "preact/hooks";
import { clipText, LONG_TEXT } from "../lib/long-text";

/** Text cut at `limit` characters until "show all" is clicked (telemetry stays text, never HTML). */
export function LongText({ text, limit = LONG_TEXT }: { text: string; limit?: number }) {
  const [expanded, setExpanded] = useState(false);
  const long = text.length > limit;
  return (
    <>
      {long && !expanded ? clipText(text, limit) : text}
      {long && (
        <button type="button" class="tv-link-button tv-show-all" onClick={() => setExpanded(!expanded)}>
          {expanded ? "show less" : `show all (${text.length.toLocaleString("en-US")} chars)`}
        </button>
      )}
    </>
  );
}
