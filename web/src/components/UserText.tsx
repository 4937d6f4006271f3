import type { ComponentChildren } from "preact";
import { bidiPieces, hasBidiControls } from "../lib/bidi-controls";

/**
 * A piece of telemetry text with each bidirectional control drawn as a mark ("⟨RLO⟩", from CSS). The
 * control itself stays in the page, alone in an isolating element, so it reorders nothing around it
 * while a copy of the text still copies it; the mark is not part of the text. Text nodes only.
 */
export function withBidiMarks(text: string): ComponentChildren {
  if (!hasBidiControls(text)) return text;
  return bidiPieces(text).map((piece, i) =>
    piece.control === null ? (
      piece.text
    ) : (
      <span key={i} class="bidi-mark" data-control={piece.control} title={`${piece.control}: a bidirectional control`}>
        {piece.text}
      </span>
    ),
  );
}

/**
 * Text a program sent (a span or service name, an attribute, a log body), isolated from the page
 * around it (<bdi>): right-to-left names read right to left without turning the labels beside them
 * around, and its controls are shown, not obeyed (withBidiMarks). `render` draws the text (e.g. with
 * search matches marked); by default withBidiMarks.
 */
export function UserText({
  text,
  render = withBidiMarks,
}: {
  text: string;
  render?: (text: string) => ComponentChildren;
}) {
  return <bdi class="user-text">{render(text)}</bdi>;
}
