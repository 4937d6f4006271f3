import { Fragment } from "preact";
import type { ErrorGroupJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { formatAbsolute, formatCount, nanosToMillis } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { ExceptionView } from "../trace-view/ExceptionView";
import {
  errorKeyRowId,
  failedOperationText,
  failingSpanLink,
  frameText,
  groupingFramesHeading,
  groupTitle,
} from "./errors-model";

/** An opened group: what grouped it, its newest error's stack trace, where it failed and its newest traces. */
export function ErrorGroupDetails({ group, selectedTrace }: { group: ErrorGroupJson; selectedTrace: string | null }) {
  const title = groupTitle(group);
  const framesHeading = groupingFramesHeading(group);
  return (
    <div class="error-group-details">
      <p class="error-group-pattern muted" data-testid="error-pattern">
        {/* What the app sent (its type, message, frames) shows its bidi controls, never obeys them. */}
        Grouped as{" "}
        <span class="error-type">
          <UserText text={title.type} />
        </span>{" "}
        <span class="mono">
          <UserText text={title.pattern} />
        </span>
        {group.frames.length > 0 && (
          <>
            {" at "}
            {/* Each frame in its own isolate: a right-to-left name in one never reorders its neighbours. */}
            {group.frames.map((frame, i) => (
              <Fragment key={i}>
                {i > 0 && " ← "}
                <UserText text={clipText(frameText(frame))} />
              </Fragment>
            ))}
          </>
        )}
        {group.libraryFrames && group.frames.length > 0 ? " (no frame of your code: the runtime's or a library's)" : ""}
      </p>
      <ExceptionView
        exception={{
          type: group.type,
          message: group.sample.message,
          ...(group.sample.stacktrace ? { stacktrace: group.sample.stacktrace } : {}),
          ...(group.sample.messageLength ? { messageLength: group.sample.messageLength } : {}),
          ...(group.sample.stacktraceLength ? { stacktraceLength: group.sample.stacktraceLength } : {}),
        }}
      />
      <div class="error-group-columns">
        {group.failedIn.length > 0 && (
          <section>
            <h3 title="The operations of the spans that failed">Failed in</h3>
            <ul data-testid="error-failed-in-list">
              {group.failedIn.map((op) => (
                <li key={`${op.kind} ${op.name} ${op.peer ?? ""}`}>
                  <UserText text={group.service} /> ·{" "}
                  <span>
                    <UserText text={clipText(failedOperationText(op))} />
                  </span>{" "}
                  <span class="faint">{op.kind.toLowerCase()}</span> <span class="muted">×{formatCount(op.count)}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section>
          <h3 title="The root operations of the traces they failed in">Inside</h3>
          <ul data-testid="error-operations">
            {group.operations.map((op) => (
              <li key={`${op.service} ${op.name}`}>
                <span class="service-dot" style={{ background: serviceColor(op.service) }} />{" "}
                <UserText text={op.service} /> ·{" "}
                <span>
                  <UserText text={clipText(op.name)} />
                </span>{" "}
                <span class="muted">×{formatCount(op.count)}</span>
              </li>
            ))}
          </ul>
        </section>
        <section>
          <h3>Newest traces</h3>
          {/* The keyboard reaches these after their group's line (j/k), as the tree's second level. */}
          {/* biome-ignore lint/a11y/useSemanticElements: a list, whose items are the tree's second level */}
          <ul data-testid="error-latest" role="group">
            {group.latest.map((l) => (
              // biome-ignore lint/a11y/useFocusableInteractive: the list keeps focus and names this row its active descendant
              <li
                key={l.traceId}
                id={errorKeyRowId({ groupId: group.id, traceId: l.traceId })}
                class={l.traceId === selectedTrace ? "selected" : undefined}
                role="treeitem"
                aria-level={2}
                aria-selected={l.traceId === selectedTrace}
                data-trace-id={l.traceId}
              >
                <a href={failingSpanLink(l.traceId, l.spanId)} class="mono">
                  {formatAbsolute(nanosToMillis(l.timeUnixNano)).slice(11)}
                </a>{" "}
                <span class="muted">
                  <UserText text={clipText(l.operation.name)} />
                </span>
              </li>
            ))}
          </ul>
        </section>
        {group.frames.length > 0 && (
          <section>
            <h3 title={framesHeading.title} data-testid="error-frames-heading">
              {framesHeading.text}
            </h3>
            <ul class="mono">
              {group.frames.map((frame) => (
                <li key={frame}>
                  <UserText text={clipText(frameText(frame))} />
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
