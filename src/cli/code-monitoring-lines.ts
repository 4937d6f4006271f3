/** The terminal's lines on code monitoring: breakpoints registered, remade, switched and capturing, the kill switch, SDKs listening or paused. */
import type { Breakpoint } from "../domain/code-monitoring.js";
import { count } from "../domain/count-text.js";
import { pauseCauseText, pauseEnd } from "../domain/sdk-pause.js";
import type { CodeMonitoringEvent } from "../ingest/code-monitoring.js";
import { clock } from "./tail-format.js";

/** How a breakpoint is named in a line: its label as the app's code names it, else its location. */
function pointName(breakpoint: Breakpoint): string {
  // The location an SDK registers may be its own file (the Node SDK's), so it is shown only for a
  // point without a label.
  return breakpoint.label === "" ? `at ${breakpoint.filePath}:${breakpoint.lineNumber}` : `"${breakpoint.label}"`;
}

/** How often a breakpoint's captures get a line at most; the ones between are counted in the next. */
const CAPTURE_LINE_MS = 10_000;

/** The captured line of one capture: its count, limit and trace, how many came since the last line, and whether it used the limit up. */
function capturedLine(breakpoint: Breakpoint, traceId: string | null, since: number, last: boolean): string {
  const name = `${breakpoint.service}: snapshot point ${pointName(breakpoint)}`;
  const more = since > 0 ? ` (+${count(since)} since the last line)` : "";
  const limit = breakpoint.maxCaptures > 0 ? ` of ${count(breakpoint.maxCaptures)}` : "";
  const trace = traceId === null ? "" : `, trace ${traceId}`;
  const done = last
    ? "; limit reached: it captures no more until its limit is raised (Edit on the Snapshots page)"
    : "";
  return `  + ${name} captured: snapshot ${count(breakpoint.captureCount)}${limit}${trace}${more}${done}`;
}

export interface CodeMonitoringLinesOptions {
  /**
   * Prints a line told later: the captures a breakpoint's burst held back, once its CAPTURE_LINE_MS
   * are up. Without it, they are told only with the breakpoint's next line.
   */
  print?(line: string): void;
  /** Runs `run` after `ms` and returns what cancels it; by default a timer that never keeps the process up. */
  schedule?(run: () => void, ms: number): () => void;
}

function unrefTimer(run: () => void, ms: number): () => void {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** A breakpoint's last capture line: when, how many captures came since, the newest of them, and the pending line that tells them. */
interface CaptureLineState {
  at: number;
  since: number;
  newest?: { breakpoint: Breakpoint; traceId: string | null };
  cancel?: () => void;
}

/**
 * The terminal's lines on code monitoring, but for `expiry-deferred` and `capture-time-unsaved` (store
 * lines the CLI throttles as such: `expiryDeferredLine`, `captureTimeUnsavedLine`). Captures (an SDK
 * sends one each time its code passes an enabled breakpoint, so hundreds a second in a burst) get a
 * line at most every CAPTURE_LINE_MS per breakpoint, which says how many came since; the ones held
 * back are told when those CAPTURE_LINE_MS are up (with `print`), so a burst that then stops is not
 * under-reported, and at close. The one that reaches the breakpoint's limit always gets a line at
 * once, which says so.
 */
export function createCodeMonitoringLines(options: CodeMonitoringLinesOptions = {}): {
  line(
    event: Exclude<CodeMonitoringEvent, { type: "expiry-deferred" | "capture-time-unsaved" }>,
    nowMs: number,
  ): string | null;
  /** Tells the captures still held back at once, and cancels their pending lines. */
  close(): void;
} {
  const { print, schedule = unrefTimer } = options;
  const lastCapture = new Map<string, CaptureLineState>();
  let closed = false;

  /** Prints the captures held back since a breakpoint's last line: the newest of them, and how many came before it. */
  const tellHeldBack = (id: string, at: number) => {
    const state = lastCapture.get(id);
    if (state === undefined) return;
    state.cancel = undefined;
    if (state.since === 0 || state.newest === undefined || print === undefined) return;
    print(capturedLine(state.newest.breakpoint, state.newest.traceId, state.since - 1, false));
    lastCapture.set(id, { at, since: 0 });
  };

  return {
    line(event, nowMs) {
      if (event.type === "kill-switch") {
        return event.enabled
          ? "  ! kill switch on: every SDK stops capturing snapshots (turn it off on the Snapshots page)"
          : "  + kill switch off: snapshots are captured again where breakpoints are enabled";
      }
      if (event.type === "sdk-paused") return sdkPausedLine(event);
      const { breakpoint } = event;
      const name = `${breakpoint.service}: snapshot point ${pointName(breakpoint)}`;
      if (event.type === "registered") return `  + ${name} registered; enable it on the Snapshots page`;
      if (event.type === "placed") {
        return breakpoint.enabled
          ? `  + ${name} (made on the page) found at the SDK's capture call; it captures from now on`
          : `  + ${name} (made on the page) found at the SDK's capture call; enable it on the Snapshots page`;
      }
      if (event.type === "remade") {
        return `  + ${name} made again from the SDK's capture (this server did not know it), enabled as the SDK holds it`;
      }
      if (event.type === "switched") {
        return `  ${breakpoint.enabled ? "+" : "-"} ${name} ${breakpoint.enabled ? "enabled: the SDK captures there from its next check-in or at once if it listens live" : "disabled"}`;
      }
      const seen = lastCapture.get(breakpoint.id);
      // The capture that uses up a limit always gets its line: from it on, nothing is captured there.
      const last = breakpoint.maxCaptures > 0 && breakpoint.captureCount >= breakpoint.maxCaptures;
      if (seen !== undefined && nowMs - seen.at < CAPTURE_LINE_MS && !last) {
        seen.since++;
        seen.newest = { breakpoint, traceId: event.traceId };
        if (seen.cancel === undefined && print !== undefined && !closed) {
          const due = seen.at + CAPTURE_LINE_MS;
          seen.cancel = schedule(() => tellHeldBack(breakpoint.id, due), due - nowMs);
        }
        return null;
      }
      seen?.cancel?.();
      lastCapture.set(breakpoint.id, { at: nowMs, since: 0 });
      if (lastCapture.size > 1_000) {
        const oldest = lastCapture.keys().next().value as string;
        lastCapture.get(oldest)?.cancel?.();
        lastCapture.delete(oldest);
      }
      return capturedLine(breakpoint, event.traceId, seen?.since ?? 0, last);
    },
    close() {
      closed = true;
      for (const [id, state] of [...lastCapture]) {
        if (state.cancel === undefined) continue;
        state.cancel();
        tellHeldBack(id, state.at);
      }
    },
  };
}

/**
 * A service's SDK stopped capturing by itself: its circuit breaker counts captures it could not send
 * (no answer, or a 5xx), and after a few it pauses for minutes. Enabled breakpoints still read as on,
 * so the terminal says why nothing arrives, and until when (the local time of day, to the second).
 */
function sdkPausedLine({ service, pause }: Extract<CodeMonitoringEvent, { type: "sdk-paused" }>): string {
  const until = clock(String(BigInt(pauseEnd(pause)) * 1_000_000n)).replace(/\.\d{3}$/, "");
  return `  ! ${service}: the SDK paused snapshot capture until ${until} (or until ${service} restarts), ${pauseCauseText(pause)}`;
}

/** Why breakpoints due to expire were not turned off at their SDKs yet (the CLI prints it at most every 10 s). */
export function expiryDeferredLine(event: Extract<CodeMonitoringEvent, { type: "expiry-deferred" }>): string {
  return `  ! breakpoints due to expire stay on: ${event.reason}; their SDKs are told once the file reads again (tried every ${event.retryMs / 1000} s)`;
}

/**
 * What a capture's answer changed could not be saved (the CLI prints it at most every 10 s per
 * service): the end of an SDK pause, which the page, MCP and the terminal then still read as running,
 * or only the time of the capture, which a restart needs to end a pause its SDK reports late.
 */
export function captureTimeUnsavedLine(event: Extract<CodeMonitoringEvent, { type: "capture-time-unsaved" }>): string {
  const { service, reason, pause } = event;
  return pause !== null
    ? `  ! ${service}: a capture came from it after its SDK paused, so the SDK captures again, but the end of the pause could not be saved (${reason}); it reads "SDK paused" until a later capture's end of it is saved`
    : `  ! ${service}: when it last captured could not be saved (${reason}); after a restart, a pause its SDK reports that began before that capture may read as still running`;
}

/**
 * The start's word that a `--db` file brought the kill switch back on: turned on in an earlier
 * session and forgotten, it would leave every breakpoint capturing nothing, with no other line to say why.
 * `since`: when it was turned on (unix ms), unknown for a file from before that was kept.
 */
export function killSwitchOnAtStartLine(since: number | null, now: Date = new Date()): string {
  const when = since === null ? "" : ` since ${clock(String(BigInt(since) * 1_000_000n), now).replace(/\.\d{3}$/, "")}`;
  return `  ! kill switch on${when}: TraceKit SDKs capture no snapshots until it is turned off on the Snapshots page`;
}

/**
 * A service's SDKs started listening live for breakpoint changes (`streams` open), or stopped (0).
 * With the kill switch on, the Node SDK closes its stream and asks only every ~60 s. Otherwise a
 * stream mostly ends because its app stopped (or restarts), which this server cannot tell from an
 * SDK that fell back to asking every ~30 s, so the line names both.
 */
export function sdkListeningLine(service: string, streams: number, killSwitch = false): string {
  if (streams > 0) return `  + ${service}: SDK listening for breakpoint changes (live)`;
  return killSwitch
    ? `  - ${service}: SDK stopped listening live (the kill switch is on); it still checks in every ~60 s`
    : `  - ${service}: SDK stopped listening live: its app stopped, or it checks in every ~30 s from now on`;
}
