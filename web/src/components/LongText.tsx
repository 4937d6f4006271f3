import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { textPrefix } from "../../../src/domain/long-text";
import { formatCount } from "../lib/format";
import { LONG_TEXT } from "../lib/long-text";
import { UserText } from "./UserText";

/**
 * Text cut at `limit` characters until "show all" is clicked (telemetry stays text, never HTML);
 * `render` draws the shown part (e.g. with search matches highlighted); by default as UserText does. `length` is the whole text's
 * length when `text` is only its beginning (a list's answer carries no more): it ends in an ellipsis.
 */
export function LongText({
  text,
  limit = LONG_TEXT,
  length = text.length,
  render = (shown) => <UserText text={shown} />,
}: {
  text: string;
  limit?: number;
  length?: number;
  render?: (shown: string) => ComponentChildren;
}) {
  const [expanded, setExpanded] = useState(false);
  const long = text.length > limit;
  const shown = long && !expanded ? textPrefix(text, limit) : text;
  return (
    <>
      {render(shown.length < length ? `${shown}…` : shown)}
      {long && (
        <button type="button" class="tv-link-button tv-show-all" onClick={() => setExpanded(!expanded)}>
          {expanded
            ? "show less"
            : text.length < length
              ? `show more (${formatCount(text.length)} of ${formatCount(length)} chars)`
              : `show all (${formatCount(text.length)} chars)`}
        </button>
      )}
    </>
  );
}
