import { Fragment } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { OperationStatsJson, ServiceOperationsResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/time-window";
import { formatCount, formatDuration, formatPercent } from "../../lib/format";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { basisNote, operationSections, operationTracesHref } from "./operations-model";
import { formatRate, formatRateIn, type RateUnit, rateUnitFor } from "./request-rate";

const NESTED_TITLE =
  "Inside another entry span of this service in the same request (e.g. a framework's span inside the HTTP server's): " +
  "listed here, not counted again in the service's requests";

function OperationTable({
  title,
  service,
  operations,
  showPeer,
  testId,
  rateUnit,
  since,
}: {
  title: string;
  service: string;
  operations: readonly OperationStatsJson[];
  showPeer: boolean;
  testId: string;
  rateUnit: RateUnit;
  since: number | undefined;
}) {
  return (
    <section class="operations-section" data-testid={testId}>
      <h3>{title}</h3>
      {operations.length === 0 ? (
        <p class="muted">None in this window.</p>
      ) : (
        <OperationRows
          service={service}
          operations={operations}
          showPeer={showPeer}
          rateUnit={rateUnit}
          since={since}
        />
      )}
    </section>
  );
}

/**
 * The service's entry operations nested in its own requests, closed by default: they are the same
 * requests told again (the listed requests above already count them).
 */
function NestedOperations({
  service,
  operations,
  rateUnit,
  since,
}: {
  service: string;
  operations: readonly OperationStatsJson[];
  rateUnit: RateUnit;
  since: number | undefined;
}) {
  if (operations.length === 0) return null;
  const spans = operations.reduce((sum, op) => sum + op.count, 0);
  return (
    <details class="operations-section operations-nested" data-testid="nested-operations">
      <summary title={NESTED_TITLE}>
        {formatCount(operations.length)} nested {operations.length === 1 ? "operation" : "operations"} (
        {formatCount(spans)} {spans === 1 ? "span" : "spans"}): the same requests told again by a span inside them, such
        as a framework's inside the HTTP server's; not counted as requests
      </summary>
      <OperationRows service={service} operations={operations} showPeer={false} rateUnit={rateUnit} since={since} />
    </details>
  );
}

function OperationRows({
  service,
  operations,
  showPeer,
  rateUnit,
  since,
}: {
  service: string;
  operations: readonly OperationStatsJson[];
  showPeer: boolean;
  rateUnit: RateUnit;
  since: number | undefined;
}) {
  return (
    <table class="services-table operations-table">
      <thead>
        <tr>
          <th>Operation</th>
          {showPeer && <th title="Who the calls go to: peer.service, else the database, queue or host">Calls to</th>}
          <th
            class="numeric"
            title={`Spans ${rateUnit.words}, averaged over the window; one unit for every table of this service, the largest in which its busiest operation reads at least 1`}
          >
            Rate
          </th>
          <th class="numeric">Error rate</th>
          <th class="numeric">p50</th>
          <th class="numeric">p95</th>
          <th class="numeric">p99</th>
          <th class="numeric">Spans</th>
        </tr>
      </thead>
      <tbody>
        {operations.map((op) => (
          <tr key={`${op.kind} ${op.name} ${op.peer ?? ""}`} data-operation={op.name} data-kind={op.kind}>
            <td class="operation-name">
              <a href={operationTracesHref(service, op, since)} title={`Its traces, slowest first: ${op.query}`}>
                {op.name}
              </a>{" "}
              <span class="faint operation-kind">{op.kind.toLowerCase()}</span>
              {op.nested && (
                <span class="faint operation-kind" data-field="nested" title={NESTED_TITLE}>
                  {" "}
                  · nested
                </span>
              )}
            </td>
            {showPeer && <td class="muted operation-peer">{op.peer ?? "–"}</td>}
            <td
              class="numeric"
              data-field="rate"
              title={`${formatCount(op.count)} in the window (${formatRate(op.ratePerSec)})`}
            >
              {formatRateIn(op.ratePerSec, rateUnit)}
            </td>
            <td class={`numeric${op.errorCount > 0 ? " error-text" : " faint"}`} data-field="errorRate">
              {formatPercent(op.errorRate)}
            </td>
            <td class="numeric">{formatDuration(op.p50Ms)}</td>
            <td class="numeric">{formatDuration(op.p95Ms)}</td>
            <td class="numeric">{formatDuration(op.p99Ms)}</td>
            <td class="numeric" data-field="count">
              {formatCount(op.count)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One service's operations in the chosen window: entry operations and outgoing calls apart; live. */
export function OperationsPanel({ service, windowKey }: { service: string; windowKey: string }) {
  const [body, setBody] = useState<ServiceOperationsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The window's start is taken when loading: as a prop it would be a new number at every render of
  // the page (each refresh of its table), and each would load the panel again.
  const load = useCallback(() => {
    api
      .serviceOperations(service, { since: windowSince(windowKey) })
      .then((answer) => {
        setBody(answer);
        setError(null);
      })
      .catch((reason: unknown) => {
        setBody(null);
        setError(reason instanceof Error ? reason.message : String(reason));
      });
  }, [service, windowKey]);
  useEffect(load, [load]);
  useLiveMessages(useCoalesced(load, 1000));

  if (error !== null) {
    return (
      <div class="operations-panel" data-testid="operations">
        <h2>{service}</h2>
        <p class="muted">{error}</p>
      </div>
    );
  }
  if (body === null) return null;
  const since = windowSince(windowKey);
  const sections = operationSections(body.service, body.operations);
  // One unit across the panel's tables, so an operation compares with the calls it makes.
  const rateUnit = rateUnitFor(body.operations.map((op) => op.ratePerSec));
  const tables = [
    ...(sections.internal === null
      ? []
      : [
          {
            title: "Its own operations (no entry spans)",
            operations: sections.internal,
            showPeer: false,
            testId: "internal-operations",
          },
        ]),
    { title: "Entry operations", operations: sections.entry, showPeer: false, testId: "entry-operations" },
    { title: "Outgoing calls", operations: sections.outgoing, showPeer: true, testId: "outgoing-operations" },
  ];
  return (
    <div class="operations-panel" data-testid="operations">
      <h2>
        Operations of {service}{" "}
        <span class="muted operations-basis">its row above counts {basisNote(body.service)}</span>
      </h2>
      {tables.map((table) => (
        <Fragment key={table.testId}>
          <OperationTable service={service} rateUnit={rateUnit} since={since} {...table} />
          {table.testId === "entry-operations" && (
            <NestedOperations service={service} operations={sections.nested} rateUnit={rateUnit} since={since} />
          )}
        </Fragment>
      ))}
    </div>
  );
}
