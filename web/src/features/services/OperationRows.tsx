import type { OperationStatsJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration, formatPercent } from "../../lib/format";
import { operationTracesHref } from "./operations-model";
import { formatRate, formatRateIn, type RateUnit } from "./request-rate";

export const NESTED_TITLE =
  "Inside another entry span of this service in the same request (e.g. a framework's span inside the HTTP server's): " +
  "listed here, not counted again in the service's requests";

/** One group of a service's operations under its heading, or a line saying it has none. */
export function OperationTable({
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

/** A table of operations, each linking to its traces, slowest first. */
export function OperationRows({
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
              <a
                href={operationTracesHref(service, op, since)}
                title={showBidiControls(`Its traces, slowest first: ${op.query}`)}
              >
                <UserText text={op.name} />
              </a>{" "}
              <span class="faint operation-kind">{op.kind.toLowerCase()}</span>
              {op.nested && (
                <span class="faint operation-kind" data-field="nested" title={NESTED_TITLE}>
                  {" "}
                  · nested
                </span>
              )}
            </td>
            {showPeer && <td class="muted operation-peer">{op.peer === null ? "–" : <UserText text={op.peer} />}</td>}
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
