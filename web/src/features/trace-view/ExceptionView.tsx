import { useMemo } from "preact/hooks";
import { isBytesKey } from "../../../../src/domain/bytes-places";
import type { Attributes, BytesPlace } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { ROW_TEXT, STACK_TEXT } from "../../lib/long-text";
import { type ExceptionInfo, stackLines } from "./attribute-groups";
import { attributeSearchTerm, searchHref } from "./attribute-search";
import { ValueActions } from "./ValueActions";
import "./exception.css";

/**
 * The attributes the exception was read from, for its values' controls: with them, the type and the
 * message get the copy button and magnifier every other value has (`exception.type=ValueError` finds
 * the traces that raised one), and the escaped / handled badge finds those as it says.
 */
export interface ExceptionSource {
  attributes: Attributes;
  bytesKeys?: readonly BytesPlace[] | undefined;
}

/** An exception: type and message up front, then the stack trace with the app's own frames emphasised. */
export function ExceptionView({ exception, source }: { exception: ExceptionInfo; source?: ExceptionSource }) {
  const actions = (key: string) => {
    const value = source?.attributes[key];
    if (source === undefined || value === undefined) return null;
    return <ValueActions name={key} value={value} bytes={isBytesKey(source.bytesKeys, key)} search="spans" />;
  };
  return (
    <div class="tv-exception">
      <div class="tv-exception-head" data-exception-key="exception.type">
        <span class="tv-exception-type">
          <LongText text={exception.type ?? "Exception"} limit={ROW_TEXT} />
        </span>
        {exception.escaped !== undefined && <EscapedBadge escaped={exception.escaped} source={source} />}
        {actions("exception.type")}
      </div>
      {exception.message && (
        <div class="tv-exception-message-row" data-exception-key="exception.message">
          <div class="tv-exception-message">
            <LongText text={exception.message} length={exception.messageLength} />
          </div>
          {actions("exception.message")}
        </div>
      )}
      {exception.stacktrace && (
        <div class="tv-stack-wrap">
          <div class="tv-stack-tools">
            <span class="faint">Stack trace</span>
            <CopyButton text={exception.stacktrace} label="Copy stack trace" />
          </div>
          <LongText
            text={exception.stacktrace}
            limit={STACK_TEXT}
            length={exception.stacktraceLength}
            render={(shown) => <StackFrames stack={shown} />}
          />
        </div>
      )}
    </div>
  );
}

/** Whether the exception left the span's scope; with its source, a link finding the traces where one did as well. */
function EscapedBadge({ escaped, source }: { escaped: boolean; source: ExceptionSource | undefined }) {
  const title = "exception.escaped: whether the exception left the span's scope";
  const value = source?.attributes["exception.escaped"];
  const term = value === undefined ? null : attributeSearchTerm("exception.escaped", value, "spans");
  const text = escaped ? "escaped" : "handled";
  if (term === null)
    return (
      <span class="badge" title={title}>
        {text}
      </span>
    );
  return (
    <a
      class="badge tv-exception-escaped"
      href={searchHref(term, "spans")}
      title={showBidiControls(`${title}. Find traces with ${term}`)}
    >
      {text}
    </a>
  );
}

function StackFrames({ stack }: { stack: string }) {
  const lines = useMemo(() => stackLines(stack), [stack]);
  return (
    <pre class="tv-stack">
      {lines.map((line, i) => (
        <span
          key={i}
          class={line.library ? "tv-frame library" : "tv-frame"}
          style={{ paddingLeft: `${line.indent + 4}ch`, textIndent: `-${line.indent + 4}ch` }}
        >
          <UserText text={line.text} />
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
