import type { ErrorGroupJson, ErrorGroupsResponse, ErrorOriginJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { clockSkewHint, formatAbsolute, formatCount, formatRelative, nanosToMillis } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { ErrorGroupDetails } from "./ErrorGroupDetails";
import {
  errorKeyRowId,
  failurePlace,
  groupingFrame,
  groupLink,
  groupTitle,
  messageLine,
  sparkBars,
} from "./errors-model";

const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 24;

/** One group: what failed, how often and when, and (opened) where and the newest error's stack trace. */
export function ErrorGroupRow(props: {
  group: ErrorGroupJson;
  answer: ErrorGroupsResponse;
  /** Its place among the groups listed (from 1), and how many are: the list draws only those in view. */
  position: number;
  setSize: number;
  open: boolean;
  /** The keyboard's row is this group's own line. */
  selected: boolean;
  /** The keyboard's row is this one of its newest traces (shown open). */
  selectedTrace: string | null;
  /** The page's clock, for "5m ago". */
  now: number;
  onToggle(): void;
  /** Opens another group of the page (where this one's errors started), or null when it is not on the page. */
  onShowGroup: ((id: string) => void) | null;
}) {
  const { group, open, now } = props;
  const title = groupTitle(group);
  const heading = (
    <>
      <span class="error-type">
        <UserText text={title.type} />
      </span>{" "}
      <span class="error-message">
        <UserText text={title.message} />
      </span>
    </>
  );
  const link = groupLink(group);
  const place = failurePlace(group);
  const frame = groupingFrame(group);
  const last = nanosToMillis(group.lastSeenUnixNano);
  const first = nanosToMillis(group.firstSeenUnixNano);
  const skew = clockSkewHint(last, now);
  return (
    // A tree item of the list, which keeps focus and names the keyboard's row its active descendant.
    // biome-ignore lint/a11y/useFocusableInteractive: the list keeps focus; a focusable row would keep its ring while j/k move on
    <div
      id={errorKeyRowId({ groupId: group.id, traceId: null })}
      class={`error-group${open ? " open" : ""}${props.selected ? " selected" : ""}${group.startedBelow !== null && group.startedBelow.length > 0 ? " with-origin" : ""}`}
      role="treeitem"
      aria-level={1}
      aria-posinset={props.position}
      aria-setsize={props.setSize}
      aria-expanded={open}
      aria-selected={props.selected}
      aria-label={`${title.type} ${title.message}`.trim()}
      data-testid="error-group"
      data-group-id={group.id}
    >
      <div class="error-group-row">
        <button
          type="button"
          class="error-group-toggle"
          aria-expanded={open}
          aria-label={open ? "Hide details" : "Show details"}
          onClick={props.onToggle}
        >
          {open ? "▾" : "▸"}
        </button>
        <div class="error-group-main">
          <div class="error-group-title">
            {link !== null ? (
              <a
                href={link}
                class="error-group-link"
                title={showBidiControls(
                  `Open the newest trace on the failing span. Grouped as: ${title.type} ${title.pattern}`,
                )}
              >
                {heading}
              </a>
            ) : (
              <span title={showBidiControls(`Grouped as: ${title.type} ${title.pattern}`)}>{heading}</span>
            )}
          </div>
          <div class="error-group-meta muted">
            <span class="service-dot" style={{ background: serviceColor(group.service) }} />{" "}
            <UserText text={group.service} />
            {place.operation !== null && (
              <span data-testid="error-failed-in" title={showBidiControls(`Failed in:\n${place.title}`)}>
                {" › "}
                <span class="error-failed-in">
                  <UserText text={place.operation} />
                </span>{" "}
                <span class="faint">{place.kind}</span>
                {place.more > 0 ? ` +${place.more}` : ""}
              </span>
            )}
            {place.within !== null && (
              <span data-testid="error-within" title="The traces' root operation: the request this failed inside">
                {" · in "}
                <UserText text={place.within} />
              </span>
            )}
            {frame !== null && (
              <span data-testid="error-frame" title={showBidiControls(frame.title)}>
                {" · "}
                {frame.lead}
                <span class="mono">
                  <UserText text={frame.frame} />
                </span>
              </span>
            )}
          </div>
          {group.startedBelow !== null && group.startedBelow.length > 0 && (
            <StartedBelow origins={group.startedBelow} onShowGroup={props.onShowGroup} />
          )}
        </div>
        <Sparkline group={group} answer={props.answer} />
        <div
          class="error-group-count numeric"
          data-testid="error-count"
          title={
            group.traces < group.count
              ? `${formatCount(group.count)} failing spans in ${formatCount(group.traces)} traces: a request can fail in several of its spans`
              : "Errors in the window"
          }
        >
          {formatCount(group.count)}
          {group.traces < group.count && (
            <div class="faint error-group-traces" data-testid="error-traces">
              in {formatCount(group.traces)} {group.traces === 1 ? "trace" : "traces"}
            </div>
          )}
        </div>
        <div
          class="error-group-seen"
          title={`first ${formatAbsolute(first)}, last ${formatAbsolute(last)}${skew ? ` (${skew})` : ""}`}
        >
          <div>{formatRelative(last, now)}</div>
          <div class="faint">first {formatRelative(first, now)}</div>
        </div>
      </div>
      {open && <ErrorGroupDetails group={group} selectedTrace={props.selectedTrace} />}
    </div>
  );
}

function Sparkline({ group, answer }: { group: ErrorGroupJson; answer: ErrorGroupsResponse }) {
  const bars = sparkBars(group.sparkline, SPARK_WIDTH, SPARK_HEIGHT);
  const bucketMs = Number(answer.bucketNanos) / 1e6;
  const start = nanosToMillis(answer.bucketStartUnixNano);
  return (
    <svg
      class="error-spark"
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      role="img"
      aria-label={`errors over the window: ${group.sparkline.join(", ")}`}
    >
      <rect class="error-spark-base" x={0} y={SPARK_HEIGHT - 1} width={SPARK_WIDTH} height={1} />
      {bars.map((bar, i) =>
        bar.count === 0 ? null : (
          <rect key={i} x={bar.x} y={bar.y} width={bar.width} height={bar.height}>
            <title>
              {bar.count} at {formatAbsolute(start + i * bucketMs).slice(11, 19)}
            </title>
          </rect>
        ),
      )}
    </svg>
  );
}

/** Where the group's errors started: the failures below them, each opening its own group when on the page. */
function StartedBelow(props: { origins: ErrorOriginJson[]; onShowGroup: ((id: string) => void) | null }) {
  return (
    <div
      class="error-group-origin muted"
      data-testid="error-origin"
      title="In its newest traces a span below the failing one failed first: this error was passed along up the calls"
    >
      {/* The spaces between the flex items are not drawn (the gap is), but keep the text whole for copying and reading. */}
      <span class="error-origin-lead">↳ passed along from</span>{" "}
      {props.origins.map((origin, i) => {
        // A line too narrow for it all cuts the message short, inside its own box: the line cut a
        // button whole, which left "passed along from …" naming nothing.
        const what = (
          <>
            <span class="error-type">
              <UserText text={clipText(origin.type)} />
            </span>{" "}
            <UserText text={clipText(messageLine(origin.message), 120)} />
          </>
        );
        const whole = showBidiControls(`${clipText(origin.type)} ${clipText(messageLine(origin.message), 500)}`);
        return (
          <span key={origin.id} class="error-origin">
            {i > 0 ? <span class="error-origin-comma">, </span> : null}
            {props.onShowGroup !== null && i === 0 ? (
              <button
                type="button"
                class="error-origin-link error-origin-what"
                title={whole}
                onClick={() => props.onShowGroup?.(origin.id)}
              >
                {what}
              </button>
            ) : (
              <span class="error-origin-what" title={whole}>
                {what}
              </span>
            )}{" "}
            <span class="faint error-origin-service">
              in <UserText text={origin.service} />
            </span>
          </span>
        );
      })}
    </div>
  );
}
