import { describeSecurityFlag } from "../../../../src/domain/security-flag";
import type { SecurityFlagJson } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { UserText } from "../../components/UserText";
import { parseStackTrace, requestSummary } from "./snapshot-text";
import { VariableTree } from "./VariableTree";

const ORIGIN_TITLE = {
  app: undefined,
  sdk: "The TraceKit SDK's own frame (its capture call)",
  library: "A library's or the runtime's frame",
} as const;

/**
 * The stack as frames: function, then where; the app's own frames stronger than the SDK's and
 * libraries'. Long frames wrap (the Copy button keeps the text whole); the numbers sit inside the box,
 * as wide as the largest.
 */
export function StackTrace({ text }: { text: string }) {
  const frames = parseStackTrace(text);
  if (frames.length === 0) return <p class="faint snap-empty">The SDK sent no stack trace.</p>;
  return (
    <div class="snap-stack-wrap">
      <CopyButton text={text} label="Copy stack trace" />
      <ol class="snap-stack" data-testid="stack-trace" style={{ "--frame-digits": String(frames.length).length }}>
        {frames.map((frame, index) => (
          <li key={index} class={frame.origin} data-origin={frame.origin} title={ORIGIN_TITLE[frame.origin]}>
            <span class="snap-frame-no" aria-hidden="true">
              {index + 1}.
            </span>
            <span class="snap-frame-text">
              {frame.fn !== null && (
                <span class="snap-frame-fn">
                  <UserText text={frame.fn} />
                </span>
              )}
              <span class="snap-frame-loc">
                <UserText text={frame.location} />
              </span>
              {frame.origin === "sdk" && <span class="snap-frame-tag">SDK</span>}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The request the snapshot was taken in: its request line, then everything the SDK sent as a tree. */
export function RequestContext({ context }: { context: unknown }) {
  if (context === null || context === undefined) {
    return <p class="faint snap-empty">No request context: the capture ran outside a request the SDK knew about.</p>;
  }
  const summary = requestSummary(context);
  return (
    <div data-testid="request-context">
      {summary && (
        <div class="snap-request-line mono">
          {summary.method && (
            <span class="snap-method">
              <UserText text={summary.method} />
            </span>
          )}{" "}
          {summary.target !== null && <UserText text={summary.target} />}
        </div>
      )}
      <VariableTree value={context} label="Request context" />
    </div>
  );
}

/** What the SDK's own scan found (and redacted) before sending. */
export function SecurityFlags({ flags }: { flags: SecurityFlagJson[] }) {
  if (flags.length === 0) return <p class="faint snap-empty">The SDK flagged nothing in this snapshot.</p>;
  return (
    <ul class="snap-flags" data-testid="security-flags">
      {flags.map((flag, index) => (
        <li key={index}>
          <span class={`badge severity-${flag.severity.toLowerCase()}`}>
            <UserText text={flag.severity} />
          </span>{" "}
          <UserText text={describeSecurityFlag(flag)} />
          {flag.variable !== undefined && (
            <>
              {" "}
              in{" "}
              <code>
                <UserText text={flag.variable} />
              </code>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
