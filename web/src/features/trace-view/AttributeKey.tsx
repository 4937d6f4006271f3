import { Fragment } from "preact";
import { withBidiMarks } from "../../components/UserText";
import { keyBreakPieces } from "./attribute-groups";
import { Highlighted } from "./Highlighted";

/** Text with a line-break opportunity (<wbr>) after each "." and "_"; text nodes only, never HTML. */
function breakAfterSeparators(text: string) {
  return keyBreakPieces(text).map((piece, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {withBidiMarks(piece)}
    </Fragment>
  ));
}

/**
 * An attribute key as every key/value list shows it: matches of `query` marked, and a key too long
 * for its column wrapping after a "." or "_" ("http.response." / "status_code"), not mid-word.
 */
export function AttributeKey({ text, query }: { text: string; query: string }) {
  return <Highlighted text={text} query={query} render={breakAfterSeparators} />;
}
