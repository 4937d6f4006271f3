import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { formatMetricValue } from "../../../../src/domain/metric-units";
import { failedRequestsQuery } from "../../../../src/domain/operation";
import type { ServiceStatsJson, ServicesResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { SetupHint } from "../../components/SetupHint";
import { readWindowKey, TimeWindowSelect, windowSince } from "../../components/TimeWindowSelect";
import { TIME_WINDOWS } from "../../components/time-window";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration, formatPercent } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import { useCoalesced } from "../../lib/use-coalesced";
import { useHiddenEdges } from "../../lib/use-hidden-edges";
import { usePageTitle } from "../../lib/use-page-title";
import { useLiveMessages } from "../../state/live-context";
import { filtersToSearch } from "../../state/trace-list-model";
import { metricsHref, WINDOW_PRESETS } from "../metrics/metrics-url";
import { keyMetricTitle } from "./key-metrics";
import { OperationsPanel } from "./OperationsPanel";
import { basisNote, windowListSince } from "./operations-model";
import { formatRate, formatRateIn, type RateUnit, rateBasisNote, rateUnitFor } from "./request-rate";
import {
  nextServiceSort,
  readServiceSort,
  type ServiceSort,
  type ServiceSortKey,
  serviceSortParams,
  sortServices,
} from "./services-table";
import { type KeyMetricColumn, useKeyMetrics } from "./use-key-metrics";
import "./services.css";

/** How the percentile columns are estimated (the map's node reads the same for the same requests). */
const ESTIMATE_NOTE =
  ", within 2.2% of the exact value and never past the fastest or slowest request (the map shows the same " +
  "figure for the same requests)";

const COLUMNS: { key: ServiceSortKey; label: string; numeric: boolean; title: string }[] = [
  { key: "name", label: "Service", numeric: false, title: "resource service.name" },
  {
    key: "ratePerSec",
    label: "Requests",
    numeric: true,
    title: "", // requestsTitle: it names the column's unit
  },
  { key: "errorRate", label: "Error rate", numeric: true, title: "share of those requests with status ERROR" },
  { key: "p50Ms", label: "p50", numeric: true, title: `median request duration${ESTIMATE_NOTE}` },
  { key: "p95Ms", label: "p95", numeric: true, title: `95th percentile request duration${ESTIMATE_NOTE}` },
  { key: "p99Ms", label: "p99", numeric: true, title: `99th percentile request duration${ESTIMATE_NOTE}` },
  {
    key: "traceCount",
    label: "Traces",
    numeric: true,
    title: "stored traces with a span of this service that start in the window",
  },
  { key: "spanCount", label: "Spans", numeric: true, title: "spans of this service, every kind" },
];

/** The Requests header's tooltip: what is counted, and the one unit the whole column is in. */
function requestsTitle(unit: RateUnit): string {
  return (
    `Requests ${unit.words}, averaged over the window: entry spans (SERVER, CONSUMER); root spans for a service ` +
    `without them. One unit for the whole column, the largest in which the busiest service reads at least 1.`
  );
}

function cell(service: ServiceStatsJson, key: ServiceSortKey, rateUnit: RateUnit, since: number | undefined) {
  switch (key) {
    case "name":
      return (
        <a href={`/${filtersToSearch({ service: service.name, since })}`} class="service-chip" title="Show its traces">
          <span class="service-dot" style={{ background: serviceColor(service.name) }} />
          <UserText text={service.name} />
        </a>
      );
    case "traceCount":
    case "spanCount":
      return formatCount(service[key]);
    case "ratePerSec":
      return (
        <span
          title={`${formatCount(service.requestCount)} in the window (${formatRate(service.ratePerSec)}); ${basisNote(service)}`}
        >
          {service.basis === "root" && (
            <span class="faint basis-tag">
              root spans<span class="basis-separator"> · </span>
            </span>
          )}
          {formatRateIn(service.ratePerSec, rateUnit)}
        </span>
      );
    case "errorRate":
      // A service that only calls others (its spans are all under another service's request) has no
      // requests to fail: "0%" beside its failed calls would say nothing failed.
      if (service.requestCount === 0) {
        return (
          <span
            class="faint"
            title={`no requests of its own; ${formatCount(service.errorCount)} of its ${formatCount(service.spanCount)} spans failed`}
          >
            –
          </span>
        );
      }
      return service.requestErrorCount > 0 ? (
        <a
          href={`/${filtersToSearch(
            // Root spans cannot be named in a query: a job's failures are its traces with an error.
            service.basis === "root"
              ? { service: service.name, errorsOnly: true, since }
              : { service: service.name, q: failedRequestsQuery(service.name), since },
          )}`}
          class="error-text"
          title={`${formatCount(service.requestErrorCount)} failed of ${formatCount(service.requestCount)}: show the traces`}
        >
          {formatPercent(service.errorRate)}
        </a>
      ) : (
        <span class="faint">0%</span>
      );
    default:
      return service.requestCount === 0 ? <span class="faint">–</span> : formatDuration(service[key]);
  }
}

/**
 * A service's key metric, linking to its chart for that service over the page's window where the
 * Metrics page offers it (15m, 1h, 6h; else its own default); "–" where the service does not send it.
 */
function keyMetricCell(column: KeyMetricColumn, service: string, windowKey: string) {
  const value = column.values.get(service);
  if (value === undefined) return <span class="faint">–</span>;
  const window = WINDOW_PRESETS.find((preset) => preset === windowKey);
  const href = metricsHref({ metric: column.key.name, service, ...(window === undefined ? {} : { window }) });
  return (
    <a href={href} title={showBidiControls(`Show ${column.key.name} for ${service}`)}>
      {formatMetricValue(value, column.unit)}
    </a>
  );
}

export function ServicesPage() {
  usePageTitle("Services");
  const { query, route, path } = useLocation();
  const windowKey = readWindowKey(query.window);
  const since = windowSince(windowKey);
  const selected = query.service ?? null;
  const [services, setServices] = useState<ServiceStatsJson[] | null>(null);
  const [rateBasis, setRateBasis] = useState<ServicesResponse["rateBasis"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The window the shown services were loaded for. */
  const [loadedWindow, setLoadedWindow] = useState<string | null>(null);
  const windowOption = TIME_WINDOWS.find((w) => w.key === windowKey) ?? TIME_WINDOWS[TIME_WINDOWS.length - 1];
  const keyMetrics = useKeyMetrics(windowOption?.ms ?? null);
  const sort = readServiceSort(query);
  const scroller = useRef<HTMLDivElement>(null);
  const hiddenRight = useHiddenEdges(scroller).right;

  const load = useCallback(() => {
    api
      .services({ since: windowSince(windowKey) })
      .then((body) => {
        setServices(body.services);
        setRateBasis(body.rateBasis);
        setLoadedWindow(windowKey);
        setError(null);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)));
  }, [windowKey]);

  /**
   * The page's URL with the window, the selected service (null: none) and the table's order. A window
   * or an order picked is a step Back undoes, as on the other pages; a service's operations opened or
   * closed replace the entry, as the Errors page's open group does.
   */
  const go = (next: { window?: string; service?: string | null; sort?: ServiceSort }) => {
    const params = new URLSearchParams();
    const nextWindow = next.window ?? windowKey;
    if (nextWindow !== "all") params.set("window", nextWindow);
    const service = next.service === undefined ? selected : next.service;
    if (service !== null) params.set("service", service);
    const order = serviceSortParams(next.sort ?? sort);
    if (order.sort !== undefined) params.set("sort", order.sort);
    if (order.order !== undefined) params.set("order", order.order);
    const search = params.toString();
    route(`${path}${search === "" ? "" : `?${search}`}`, next.window === undefined && next.sort === undefined);
  };

  useEffect(load, [load]);

  // Statistics move with every ingest: refresh at most once a second while traffic flows.
  useLiveMessages(useCoalesced(load, 1000));

  // Another window's figures stay while this one's load (live, they are replaced in a moment), but not
  // under a failure to load it: then the table would show them under this window's name.
  const shown = error !== null && loadedWindow !== windowKey ? null : services;
  const rows = shown === null ? [] : sortServices(shown, sort.key, sort.descending);
  const rateUnit = rateUnitFor(rows.map((service) => service.ratePerSec));
  const rateNote = rateBasis === null || rows.length === 0 ? null : rateBasisNote(rateBasis, windowKey === "all");
  return (
    <div class="services-page">
      <div class="services-header">
        <h1>Services</h1>
        <TimeWindowSelect value={windowKey} onChange={(value) => go({ window: value })} />
        <span class="muted">
          Requests are entry spans (SERVER, CONSUMER); open a service for its operations, click its name for its traces.
        </span>
      </div>
      {rateNote !== null && (
        <p class="muted rate-basis" data-testid="rate-basis">
          {rateNote}
        </p>
      )}
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load services: {error}
        </div>
      )}
      {shown === null && error !== null ? null : shown !== null && shown.length === 0 ? (
        <div class="page-message">
          {windowKey === "all" ? (
            <>
              <h2>No services yet</h2>
              <p>Services appear here once traces arrive.</p>
              <SetupHint />
            </>
          ) : (
            <h2>No spans in this window</h2>
          )}
        </div>
      ) : (
        <div
          class={`services-table-scroll${hiddenRight ? " hidden-right" : ""}`}
          ref={scroller}
          data-testid="services-table-scroll"
        >
          <table class="services-table">
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th
                    key={column.key}
                    class={column.numeric ? "numeric sortable" : "sortable"}
                    title={column.key === "ratePerSec" ? requestsTitle(rateUnit) : column.title}
                    aria-sort={sort.key === column.key ? (sort.descending ? "descending" : "ascending") : "none"}
                  >
                    <button
                      type="button"
                      class="sort-button"
                      onClick={() => go({ sort: nextServiceSort(sort, column.key) })}
                    >
                      {column.label}
                      {sort.key === column.key ? (sort.descending ? " ↓" : " ↑") : ""}
                    </button>
                  </th>
                ))}
                {keyMetrics.map((column) => (
                  <th
                    key={column.key.name}
                    class="numeric"
                    title={keyMetricTitle(column.key, windowOption?.label ?? "")}
                  >
                    {column.key.label}
                  </th>
                ))}
                <th class="operations-cell">
                  {hiddenRight && (
                    <button
                      type="button"
                      class="sort-button more-columns"
                      title="The table is wider than the page: scroll it sideways for the columns under and past this one"
                      onClick={() =>
                        scroller.current?.scrollTo({ left: scroller.current.scrollWidth, behavior: "smooth" })
                      }
                    >
                      More columns →
                    </button>
                  )}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((service) => (
                <tr key={service.name} data-service={service.name}>
                  {COLUMNS.map((column) => (
                    <td key={column.key} class={column.numeric ? "numeric" : ""} data-field={column.key}>
                      {cell(service, column.key, rateUnit, windowListSince(since))}
                    </td>
                  ))}
                  {keyMetrics.map((column) => (
                    <td key={column.key.name} class="numeric" data-key-metric={column.key.name}>
                      {keyMetricCell(column, service.name, windowKey)}
                    </td>
                  ))}
                  <td class="operations-cell">
                    <button
                      type="button"
                      class="button operations-toggle"
                      aria-expanded={selected === service.name}
                      aria-label={showBidiControls(`Operations of ${service.name}`)}
                      onClick={() => go({ service: selected === service.name ? null : service.name })}
                    >
                      Operations {selected === service.name ? "▴" : "▾"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected !== null && <OperationsPanel key={selected} service={selected} windowKey={windowKey} />}
    </div>
  );
}
