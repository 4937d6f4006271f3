import { Fragment } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { OperationStatsJson, ServiceOperationsResponse } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/time-window";
import { UserText } from "../../components/UserText";
import { formatCount } from "../../lib/format";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { NESTED_TITLE, OperationRows, OperationTable } from "./OperationRows";
import { basisNote, operationSections } from "./operations-model";
import { type RateUnit, rateUnitFor } from "./request-rate";

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

/** The internal operations past those listed open, closed by default (a service with a span per function has hundreds). */
function MoreInternalOperations({
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
    <details class="operations-section operations-nested" data-testid="more-internal-operations">
      <summary>
        {formatCount(operations.length)} more internal {operations.length === 1 ? "operation" : "operations"} (
        {formatCount(spans)} {spans === 1 ? "span" : "spans"})
      </summary>
      <OperationRows service={service} operations={operations} showPeer={false} rateUnit={rateUnit} since={since} />
    </details>
  );
}

/** One service's operations in the chosen window: entry operations, outgoing calls and internal ones apart; live. */
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
        <h2>
          <UserText text={service} />
        </h2>
        <p class="muted">{error}</p>
      </div>
    );
  }
  if (body === null) return null;
  const since = windowSince(windowKey);
  const sections = operationSections(body.service, body.operations);
  // One unit across the panel's tables, so an operation compares with the calls it makes.
  const rateUnit = rateUnitFor(body.operations.map((op) => op.ratePerSec));
  const internal = { operations: sections.internal, showPeer: false, testId: "internal-operations" };
  const tables = [
    ...(sections.ownInternal ? [{ title: "Its own operations (no entry spans)", ...internal }] : []),
    { title: "Entry operations", operations: sections.entry, showPeer: false, testId: "entry-operations" },
    { title: "Outgoing calls", operations: sections.outgoing, showPeer: true, testId: "outgoing-operations" },
    // Work inside the service's requests (a slow computation is why its p95 is high), after what it is
    // asked and what it calls; listed only when there is some, as most services have none.
    ...(!sections.ownInternal && sections.internal.length > 0
      ? [{ title: "Internal operations, most time first", ...internal }]
      : []),
  ];
  return (
    <div class="operations-panel" data-testid="operations">
      <h2>
        Operations of <UserText text={service} />{" "}
        <span class="muted operations-basis">its row above counts {basisNote(body.service)}</span>
      </h2>
      {tables.map((table) => (
        <Fragment key={table.testId}>
          <OperationTable service={service} rateUnit={rateUnit} since={since} {...table} />
          {table.testId === "entry-operations" && (
            <NestedOperations service={service} operations={sections.nested} rateUnit={rateUnit} since={since} />
          )}
          {table.testId === "internal-operations" && (
            <MoreInternalOperations
              service={service}
              operations={sections.moreInternal}
              rateUnit={rateUnit}
              since={since}
            />
          )}
        </Fragment>
      ))}
    </div>
  );
}
