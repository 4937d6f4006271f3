import { useMemo } from "preact/hooks";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { UserText } from "../../components/UserText";
import { ROW_TEXT, STACK_TEXT } from "../../lib/long-text";
import { type ExceptionInfo, stackLines } from "./attribute-groups";
import "./exception.css";

/** An exception: type and message up front, then the stack trace with the app's own frames emphasised. */
export function ExceptionView({ exception }: { exception: ExceptionInfo }) {
  return (
    <div class="tv-exception">
      <div class="tv-exception-head">
        <span class="tv-exception-type">
          <LongText text={exception.type ?? "Exception"} limit={ROW_TEXT} />
        </span>
        {exception.escaped !== undefined && (
          <span class="badge" title="exception.escaped: whether the exception left the span's scope">
            {exception.escaped ? "escaped" : "handled"}
          </span>
        )}
      </div>
      {exception.message && (
        <div class="tv-exception-message">
          <LongText text={exception.message} length={exception.messageLength} />
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
