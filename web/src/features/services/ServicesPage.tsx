import { useCallback, useEffect, useState } from "preact/hooks";
import type { ServiceStatsJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { formatCount, formatDuration, formatPercent } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { filtersToSearch } from "../../state/trace-list-model";
import { formatMetricValue } from "../metrics/metric-units";
import { metricsHref } from "../metrics/metrics-url";
import { type ServiceSortKey, sortServices } from "./services-table";
import { type KeyMetricColumn, useKeyMetrics } from "./use-key-metrics";
import "./services.css";

const COLUMNS: { key: ServiceSortKey; label: string; numeric: boolean; title: string }[] = [
  { key: "name", label: "Service", numeric: false, title: "resource service.name" },
  { key: "traceCount", label: "Traces", numeric: true, title: "traces with at least one span of this service" },
  { key: "spanCount", label: "Spans", numeric: true, title: "spans of this service" },
  { key: "errorRate", label: "Error rate", numeric: true, title: "share of this service's spans with status ERROR" },
  { key: "p50Ms", label: "p50", numeric: true, title: "median span duration" },
  { key: "p95Ms", label: "p95", numeric: true, title: "95th percentile span duration" },
  { key: "p99Ms", label: "p99", numeric: true, title: "99th percentile span duration" },
];

function cell(service: ServiceStatsJson, key: ServiceSortKey) {
  switch (key) {
    case "name":
      return (
        <a href={`/${filtersToSearch({ service: service.name })}`} class="service-chip" title="Show its traces">
          <span class="service-dot" style={{ background: serviceColor(service.name) }} />
          {service.name}
        </a>
      );
    case "traceCount":
    case "spanCount":
      return formatCount(service[key]);
    case "errorRate":
      return service.errorCount > 0 ? (
        <a
          href={`/${filtersToSearch({ service: service.name, errorsOnly: true })}`}
          class="error-text"
          title={`${formatCount(service.errorCount)} error spans: show the traces`}
        >
          {formatPercent(service.errorRate)}
        </a>
      ) : (
        <span class="faint">0%</span>
      );
    default:
      return formatDuration(service[key]);
  }
}

/** A service's key metric, linking to its chart for that service; "–" where the service does not send it. */
function keyMetricCell(column: KeyMetricColumn, service: string) {
  const value = column.values.get(service);
  if (value === undefined) return <span class="faint">–</span>;
  return (
    <a href={metricsHref({ metric: column.key.name, service })} title={`Show ${column.key.name} for ${service}`}>
      {formatMetricValue(value, column.unit)}
    </a>
  );
}

export function ServicesPage() {
  const [services, setServices] = useState<ServiceStatsJson[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const keyMetrics = useKeyMetrics();
  const [sort, setSort] = useState<{ key: ServiceSortKey; descending: boolean }>({ key: "name", descending: false });

  const load = useCallback(() => {
    api
      .services()
      .then((body) => {
        setServices(body.services);
        setError(null);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)));
  }, []);

  useEffect(load, [load]);

  // Statistics move with every ingest: refresh at most once a second while traffic flows.
  useLiveMessages(useCoalesced(load, 1000));

  const rows = services === null ? [] : sortServices(services, sort.key, sort.descending);
  return (
    <div class="services-page">
      <div class="services-header">
        <h1>Services</h1>
        <span class="muted">Span statistics per service over everything stored; click a service for its traces.</span>
      </div>
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load services: {error}
        </div>
      )}
      {services !== null && services.length === 0 ? (
        <div class="page-message">
          <h2>No services yet</h2>
          <p>
            Services appear here once traces arrive. See <a href="/">the trace page</a> for how to send some.
          </p>
        </div>
      ) : (
        <table class="services-table">
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th
                  key={column.key}
                  class={column.numeric ? "numeric" : ""}
                  title={column.title}
                  aria-sort={sort.key === column.key ? (sort.descending ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    class="sort-button"
                    onClick={() =>
                      setSort((current) => ({
                        key: column.key,
                        descending: current.key === column.key ? !current.descending : column.numeric,
                      }))
                    }
                  >
                    {column.label}
                    {sort.key === column.key ? (sort.descending ? " ↓" : " ↑") : ""}
                  </button>
                </th>
              ))}
              {keyMetrics.map((column) => (
                <th key={column.key.name} class="numeric" title={column.key.title}>
                  {column.key.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((service) => (
              <tr key={service.name} data-service={service.name}>
                {COLUMNS.map((column) => (
                  <td key={column.key} class={column.numeric ? "numeric" : ""}>
                    {cell(service, column.key)}
                  </td>
                ))}
                {keyMetrics.map((column) => (
                  <td key={column.key.name} class="numeric" data-key-metric={column.key.name}>
                    {keyMetricCell(column, service.name)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
