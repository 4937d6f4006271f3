import type { BreakpointJson } from "../../../../src/protocol";
import type { BreakpointPatch } from "../../api/client";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatAbsolute, formatRelative } from "../../lib/format";
import {
  breakpointStatus,
  deleteQuestion,
  formatCaptures,
  formatExpiry,
  pausedText,
  type SdkContact,
  silentText,
  stateText,
  waitingText,
} from "./breakpoint-model";
import { baseName, functionText, placeOf, placeTitle } from "./code-place";

export interface BreakpointRowProps {
  breakpoint: BreakpointJson;
  killSwitch: boolean;
  contact: SdkContact;
  nowMs: number;
  /** Its snapshots are the ones listed below. */
  filtered: boolean;
  editing: boolean;
  onEdit(): void;
  onUpdate(id: string, patch: BreakpointPatch): void;
  onDelete(id: string): void;
  onFilter(id: string | null): void;
}

/** One breakpoint: its switch, where it is, how many captures it took of how many, and its actions. */
export function BreakpointRow({
  breakpoint: bp,
  killSwitch,
  contact,
  nowMs,
  filtered,
  editing,
  ...actions
}: BreakpointRowProps) {
  const status = breakpointStatus(bp, nowMs, killSwitch, contact);
  const { state } = status;
  const last = bp.lastCapturedAt === null ? null : Date.parse(bp.lastCapturedAt);
  const place = placeOf(bp);
  const where = place === null ? "its next capture's caller" : `${place.filePath}:${place.lineNumber}`;
  // The service and the label are the app's text: a tooltip or the delete question shows their controls as marks.
  const stateTitle =
    state === "waiting"
      ? `Enabled, but ${waitingText(bp.service, contact, nowMs, bp.updatedAt)}: no SDK of ${bp.service} listens live or has asked for its breakpoints since this breakpoint or the kill switch last changed. Captures start once it does.`
      : state === "silent"
        ? silentText(bp.service, contact, nowMs)
        : status.state === "paused"
          ? pausedText(bp.service, status.pause, nowMs)
          : state === "unplaced"
            ? `Enabled: the first captureSnapshot / capture_snapshot call with the label "${bp.label}" in ${bp.service} takes it and captures there. A Node app that already made that call in its current run takes it at its next check-in (within about 30 s); a Python one when it restarts.`
            : undefined;
  return (
    <div class={`bp-row bp-main state-${state}${filtered ? " filtered" : ""}`} data-breakpoint-id={bp.id}>
      <button
        type="button"
        role="switch"
        class="bp-switch"
        aria-checked={bp.enabled}
        aria-label={`Capture at ${showBidiControls(bp.label || bp.functionName)}`}
        title={
          bp.enabled
            ? "Enabled: click to disable (stops captures and keeps the breakpoint)"
            : "Disabled: click to capture on the next request"
        }
        onClick={() => actions.onUpdate(bp.id, { enabled: !bp.enabled })}
      >
        <span class="bp-switch-knob" />
      </button>
      <button
        type="button"
        class="bp-label snap-link-button"
        aria-pressed={filtered}
        title={filtered ? "Show every breakpoint's snapshots" : "Show only this breakpoint's snapshots"}
        onClick={() => actions.onFilter(filtered ? null : bp.id)}
      >
        {bp.label === "" ? "(no label)" : <UserText text={bp.label} />}
      </button>
      <span class="bp-fn mono" title={placeTitle(bp)}>
        {place === null ? <span class="faint">–</span> : <UserText text={functionText(place.functionName)} />}
        {bp.condition !== "" && (
          <span
            class="badge"
            title={`Condition handed to the SDK with the breakpoint: ${showBidiControls(bp.condition)}. Whether a capture is taken is the SDK's decision (not every SDK version evaluates conditions); every capture sent here is kept.`}
          >
            condition: <UserText text={bp.condition} />
          </span>
        )}
      </span>
      <span class="bp-loc mono faint" title={placeTitle(bp)} data-testid="breakpoint-location">
        {place !== null ? (
          <UserText text={`${baseName(place.filePath)}:${place.lineNumber}`} />
        ) : bp.captureCount > 0 ? (
          "at next capture"
        ) : (
          "at first capture"
        )}
      </span>
      <span
        class={`bp-state badge state-${state}`}
        title={stateTitle === undefined ? undefined : showBidiControls(stateTitle)}
      >
        {stateText(status, bp.service, contact, nowMs, bp.updatedAt)}
      </span>
      <span class="bp-captures" title="captures taken / limit">
        {formatCaptures(bp)}
      </span>
      <span class="bp-expiry" title={bp.expireAt ?? "no expiry"}>
        {bp.expireAt === null ? <span class="faint">no expiry</span> : formatExpiry(bp.expireAt, nowMs)}
      </span>
      <span class="bp-last" title={last === null ? "" : formatAbsolute(last)}>
        {last === null ? <span class="faint">never captured</span> : formatRelative(last, nowMs)}
      </span>
      <span class="bp-actions">
        <button type="button" class="button" aria-expanded={editing} onClick={actions.onEdit}>
          Edit
        </button>
        <button
          type="button"
          class="button danger"
          aria-label={`Delete breakpoint ${showBidiControls(bp.label)}`}
          onClick={() => {
            if (confirm(showBidiControls(deleteQuestion(bp, where)))) {
              actions.onDelete(bp.id);
            }
          }}
        >
          Delete
        </button>
      </span>
    </div>
  );
}
