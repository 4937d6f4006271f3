import { useMemo, useState } from "preact/hooks";
import type { AttrValue, ValueStep } from "../../../../src/protocol";
import { BytesNote, NestedBytesNotes } from "../../components/BytesNote";
import { CopyButton } from "../../components/CopyButton";
import { UserText } from "../../components/UserText";
import { bodyView, cutText, droppedBodyText, indentedLines, showAllLabel } from "./log-body";

/** Bodies longer than this are cut until "show all". */
const MAX_CHARS = 4000;
const MAX_LINES = 60;

/**
 * A record's body in full: text as sent, structures (and JSON strings) indented; long ones cut. Its
 * bidi controls show as marks, never obeyed (UserText), as everywhere else the app shows sent text.
 */
/**
 * `bytes`: `true` when the body was sent as OTLP bytes, else the paths to such values inside it;
 * `dropped`: the entries of it the server left out (LogRecordJson.droppedBodyEntries).
 */
export function LogBodyView({
  body,
  bytes,
  dropped,
}: {
  body: AttrValue | null;
  bytes?: true | ValueStep[][];
  dropped?: number | undefined;
}) {
  const [all, setAll] = useState(false);
  // Worked out once per body, not again at each render ("show all" included).
  const view = useMemo(() => bodyView(body), [body]);
  if (view.kind === "empty") return <p class="tv-empty">This record has no body.</p>;
  const text = view.text;
  const cut = cutText(text, MAX_CHARS, MAX_LINES);
  const copyText = typeof body === "string" ? body : text;
  return (
    <div class="log-body" data-testid="log-body" data-body-kind={view.kind}>
      <div class="log-body-head">
        <span class="faint">
          {view.kind === "json" ? (view.fromString ? "Body · JSON text, indented" : "Body · structured") : "Body"}
          {bytes === true && typeof body === "string" && (
            <>
              {" · "}
              <BytesNote base64={body} />
            </>
          )}
          {Array.isArray(bytes) && body !== null && (
            <>
              {" · "}
              <NestedBytesNotes value={body} paths={bytes} />
            </>
          )}
        </span>
        <CopyButton text={copyText} label="Copy the body" />
      </div>
      {view.kind === "json" ? (
        <JsonLines text={all ? text : cut.shown} />
      ) : (
        <pre class="log-body-text">
          <UserText text={all ? text : cut.shown} />
        </pre>
      )}
      {cut.cut && (
        <button type="button" class="tv-link-button tv-show-all" onClick={() => setAll(!all)}>
          {all ? "show less" : showAllLabel(cut)}
        </button>
      )}
      {dropped ? (
        <p class="tv-empty" data-testid="log-body-dropped">
          {droppedBodyText(dropped)}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Indented JSON that wraps like a text body rather than running off the panel: a line too long for it
 * (a URL, a message) continues under its own value, past its indentation, so the tree still reads.
 */
function JsonLines({ text }: { text: string }) {
  const lines = indentedLines(text);
  if (lines === null)
    return (
      <pre class="log-body-text log-body-json">
        <UserText text={text} />
      </pre>
    );
  return (
    <pre class="log-body-json">
      {lines.map((line, i) => (
        // A block per line (a copied selection keeps the breaks), with its leading blanks (and the
        // indentation); the hanging indent lines its continuations up two past them.
        <span
          key={i}
          class="log-body-line"
          style={{ paddingLeft: `${line.indent + 2}ch`, textIndent: `-${line.indent + 2}ch` }}
        >
          <UserText text={line.text} />
        </span>
      ))}
    </pre>
  );
}
