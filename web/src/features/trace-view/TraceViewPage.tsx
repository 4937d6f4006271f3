import { useEffect } from "preact/hooks";
import { logsOfTraceHref } from "../logs/log-filters";
import { useTraceLogs } from "../logs/use-trace-logs";
import "./trace-view.css";
import { formatCount } from "../../lib/format";
import { TraceScreen } from "./TraceScreen";
import { useTraceData } from "./use-trace-data";
import { useBackToList, useTraceKeys } from "./use-trace-keys";

/** `/traces/:traceId`: one trace as a waterfall with span details; stays current while spans arrive. */
export function TraceViewPage({ traceId }: { traceId: string }) {
  useEffect(() => {
    document.title = `Trace ${traceId.slice(0, 8)} · tracekit-local`;
    return () => {
      document.title = "tracekit-local";
    };
  }, [traceId]);
  if (!/^[0-9a-f]{32}$/i.test(traceId)) {
    // Asking the server could never succeed: say what a trace id looks like instead.
    return (
      <div class="page-message tv-not-found" data-testid="trace-not-found">
        <h2>Not a trace id</h2>
        <p>
          <code>{traceId.slice(0, 80)}</code> is not a trace id: those are 32 hexadecimal digits.{" "}
          <a href="/">← Back to the trace list</a>
        </p>
      </div>
    );
  }
  // A new trace id is a new page: selection, collapsed spans and search start over.
  return <TraceView key={traceId} traceId={traceId.toLowerCase()} />;
}

function TraceView({ traceId }: { traceId: string }) {
  const { load, retry } = useTraceData(traceId);
  const back = useBackToList();
  // The loaded screen has its own keys; before that, Escape still leads back to the list.
  useTraceKeys(load.state === "ready" ? {} : { back });

  if (load.state === "loading") {
    return (
      <div class="tv-loading" role="status">
        Loading trace <code>{traceId}</code>…
      </div>
    );
  }
  if (load.state === "not-found") {
    return (
      <div class="page-message" data-testid="trace-not-found">
        <h2>Trace not found</h2>
        <p>
          No trace <code>{traceId}</code> is stored: it may have been evicted or cleared (or its spans have not arrived
          yet; this page loads it as soon as they do).
        </p>
        <TraceLogsWithoutSpans traceId={traceId} />
        <p>
          <a href="/">← Back to the trace list</a>
        </p>
      </div>
    );
  }
  if (load.state === "error") {
    return (
      <div class="page-message tv-error">
        <h2>Could not load this trace</h2>
        <div class="error-banner">{load.message}</div>
        <p>
          <button type="button" class="button" onClick={retry}>
            Retry
          </button>{" "}
          <a href="/">← Back to the trace list</a>
        </p>
      </div>
    );
  }
  return <TraceScreen trace={load.trace} notice={load.notice} refreshError={load.refreshError} onRetry={retry} />;
}

/**
 * A trace known only by its log records (its spans were sampled out, never exported, or evicted
 * before its logs): every log row links here, so this page leads on to them.
 */
function TraceLogsWithoutSpans({ traceId }: { traceId: string }) {
  const { logs, capped } = useTraceLogs(traceId);
  if (logs.length === 0) return null;
  const count = `${formatCount(logs.length)}${capped ? "+" : ""}`;
  return (
    <p data-testid="trace-logs-without-spans">
      Its log records are stored: {count} record{logs.length === 1 ? "" : "s"}.{" "}
      <a href={logsOfTraceHref(traceId)}>Show them on the Logs page →</a>
    </p>
  );
}
