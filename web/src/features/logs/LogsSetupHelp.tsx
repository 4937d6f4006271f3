import { SetupTabs } from "../../components/SetupTabs";
import { logsSetups } from "./logs-setup";

/** What to do to see anything here: shown while no log record has arrived. */
export function LogsSetupHelp() {
  return (
    <div class="logs-setup" data-testid="logs-setup">
      <h2>No logs yet</h2>
      <p class="muted">
        Any OpenTelemetry SDK with its logs exporter on sends its log records here, over the same OTLP endpoint as its
        traces (<code>OTEL_EXPORTER_OTLP_ENDPOINT={location.origin}</code>). They appear in this list as they arrive,
        each linked to the trace and span it was written in.
      </p>
      <SetupTabs setups={logsSetups(location.origin)} />
    </div>
  );
}
