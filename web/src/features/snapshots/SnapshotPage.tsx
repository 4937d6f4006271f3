import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { SnapshotJson } from "../../../../src/protocol";
import { isDialogOpen, isShortcutCandidate, isTypingTarget } from "../../components/keyboard";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatAbsolute, formatCount, formatRelative, shortId } from "../../lib/format";
import { entriesBehind } from "../../lib/history-entries";
import { serviceColor } from "../../lib/service-color";
import { useNow } from "../../lib/use-now";
import { useLiveState } from "../../state/live-context";
import { placeTitle, whereText } from "./code-place";
import { RequestContext, SecurityFlags, StackTrace } from "./SnapshotParts";
import { capturedAtMs } from "./snapshot-feed";
import { spansMayStillArrive, truncatedPayload } from "./snapshot-text";
import { spanLink } from "./trace-snapshots";
import { type TraceAvailability, useSnapshot } from "./use-snapshot";
import { VariableTree } from "./VariableTree";
import "./snapshots.css";

function TraceLink({ snapshot, trace, nowMs }: { snapshot: SnapshotJson; trace: TraceAvailability; nowMs: number }) {
  if (snapshot.traceId === null) {
    return <div class="snap-trace faint">Captured outside a trace: the SDK had no active span.</div>;
  }
  const href = spanLink(snapshot.traceId, snapshot.spanId);
  // The SDK's span exporter runs a few seconds behind its captures: a young capture's trace is on its way.
  if (trace === "missing" && spansMayStillArrive(capturedAtMs(snapshot), nowMs)) {
    return (
      <div class="snap-trace pending" data-testid="snapshot-trace" role="status">
        Its spans are on their way: the SDK sends a request's spans a few seconds after it ends (about 5 s), so trace{" "}
        <code>{shortId(snapshot.traceId)}</code> is not here yet. This page links to it as soon as it arrives.
      </div>
    );
  }
  return (
    <div class={`snap-trace ${trace}`} data-testid="snapshot-trace">
      {trace === "missing" ? (
        <span>
          Trace <code>{snapshot.traceId}</code> is not stored in tracekit-local: the app sends its spans elsewhere, or
          they were evicted or cleared. This page links to it as soon as its spans arrive.
        </span>
      ) : (
        <a href={href}>
          {trace === "checking" ? "Trace" : "Open its span in the trace"} <code>{shortId(snapshot.traceId)}</code>
          {snapshot.spanId !== null && (
            <>
              {" "}
              span <code>{shortId(snapshot.spanId)}</code>
            </>
          )}{" "}
          →
        </a>
      )}
    </div>
  );
}

function Section({ title, count, children }: { title: string; count?: number; children: preact.ComponentChildren }) {
  return (
    <section class="snap-section" aria-label={title}>
      <h2>
        {title}
        {count !== undefined && <span class="faint"> {count}</span>}
      </h2>
      {children}
    </section>
  );
}

function SnapshotView({ snapshot, trace }: { snapshot: SnapshotJson; trace: TraceAvailability }) {
  const nowMs = useNow(5000);
  const at = capturedAtMs(snapshot);
  const truncated = truncatedPayload(snapshot.variables);
  const { route } = useLocation();
  // Read as the page opens: the entry before this one does not change while it is shown.
  const [backHref] = useState(() => listBehind() ?? "/snapshots");
  return (
    <div class="snap-page" data-testid="snapshot-page">
      <header class="snap-head">
        <a
          href={backHref}
          class="snap-back"
          onClick={(event) => {
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
            // A step Back when the list is there, as Escape; stopPropagation keeps preact-iso's
            // window-level click handler from pushing the list as a new entry as well.
            event.preventDefault();
            event.stopPropagation();
            backToList(route);
          }}
        >
          ← Snapshots
        </a>
        <h1>{snapshot.label === "" ? "(no label)" : <UserText text={snapshot.label} />}</h1>
        <span class="service-chip">
          <span class="service-dot" style={{ background: serviceColor(snapshot.service) }} />
          <UserText text={snapshot.service} />
        </span>
        <span class="mono snap-where" title={placeTitle(snapshot)} data-testid="snapshot-where">
          <UserText text={whereText(snapshot)} />
        </span>
        <span class="muted" title={snapshot.capturedAt}>
          captured {formatAbsolute(at)} · {formatRelative(at, nowMs)}
        </span>
      </header>
      <TraceLink snapshot={snapshot} trace={trace} nowMs={nowMs} />
      <div class="snap-grid">
        <Section title="Variables">
          {truncated ? (
            <p class="snap-notice">
              The SDK dropped these variables: they took {formatCount(truncated.size)} bytes, over its limit of{" "}
              {formatCount(truncated.max)}.
            </p>
          ) : (
            <VariableTree key={snapshot.id} value={snapshot.variables} label="Variables" />
          )}
        </Section>
        <div class="snap-side">
          <Section title="Security flags" count={snapshot.securityFlags.length}>
            <SecurityFlags flags={snapshot.securityFlags} />
          </Section>
          <Section title="Request">
            <RequestContext key={snapshot.id} context={snapshot.requestContext} />
          </Section>
          <Section title="Stack trace">
            <StackTrace text={snapshot.stackTrace} />
          </Section>
        </div>
      </div>
    </div>
  );
}

/**
 * The list this snapshot was opened from, its filters and all (`/snapshots?service=…`), when the
 * previous history entry is that list; else null.
 */
function listBehind(): string | null {
  // The previous history entry, when the browser tells and it is this app's.
  const previous = entriesBehind(1)?.[0] ?? null;
  return previous?.pathname === "/snapshots" ? `${previous.pathname}${previous.search}` : null;
}

/** Back to the list with its filters when that is where the reader came from (a step Back), else to the list. */
function backToList(route: (url: string) => void) {
  if (listBehind() !== null) history.back();
  else route("/snapshots");
}

/** `/snapshots/:id`: one captured snapshot, a deep link. */
export function SnapshotPage({ snapshotId }: { snapshotId: string }) {
  const live = useLiveState();
  const { route } = useLocation();
  const { load, trace } = useSnapshot(snapshotId, live.generation);

  useEffect(() => {
    document.title = `Snapshot ${load.state === "ready" ? showBidiControls(load.snapshot.label) : ""} · tracekit-local`;
    return () => {
      document.title = "tracekit-local";
    };
  }, [load]);

  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!isShortcutCandidate(event) || isTypingTarget(event.target) || isDialogOpen()) return;
      if (event.key !== "Escape") return;
      event.preventDefault();
      backToList(route);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [route]);

  if (load.state === "loading") return <div class="page-message">Loading snapshot…</div>;
  if (load.state === "not-found" || load.state === "error") {
    return (
      <div class="page-message" data-testid="snapshot-not-found">
        <h2>{load.state === "not-found" ? "Snapshot not found" : "Could not load this snapshot"}</h2>
        <p>
          {load.state === "not-found" ? (
            <>
              No snapshot <code>{snapshotId.slice(0, 80)}</code> is stored: it may have been evicted or cleared.
            </>
          ) : (
            load.message
          )}{" "}
          <a href="/snapshots">← All snapshots</a>
        </p>
      </div>
    );
  }
  return <SnapshotView snapshot={load.snapshot} trace={trace} />;
}
