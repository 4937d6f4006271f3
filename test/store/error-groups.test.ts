import { describe, expect, it } from "vitest";
import { TraceAggregate } from "../../src/domain/trace-summary.js";
import { ErrorGroups } from "../../src/store/error-groups.js";
import { makeSpan, rootSpan, traceId } from "./span-fixtures.js";

describe("ErrorGroups", () => {
  it("names operations by the trace's root once it arrives after the error", () => {
    const groups = new ErrorGroups();
    const trace = new TraceAggregate(traceId(1));
    const failing = makeSpan({ trace: 1, span: 2, parent: 1, name: "load", error: true });
    trace.add(failing);
    groups.addSpan(failing, trace);
    expect(groups.query({ limit: 5 }).groups[0]?.operations).toEqual([{ service: "api", name: "load", count: 1 }]);
    trace.add(rootSpan(1, { name: "GET /cart", service: "web" }));
    expect(groups.query({ limit: 5 }).groups[0]?.operations).toEqual([{ service: "web", name: "GET /cart", count: 1 }]);
  });

  it("forgets the operations of evicted traces once they far outnumber the errors kept", () => {
    const groups = new ErrorGroups();
    const n = 12_000;
    for (let t = 1; t <= n; t++) {
      const trace = new TraceAggregate(traceId(t));
      const root = rootSpan(t, { name: `GET /unique/${t}`, error: true });
      trace.add(root);
      groups.addSpan(root, trace);
    }
    for (let t = 1; t <= n - 3; t++) groups.removeTrace(traceId(t));
    expect(groups.size).toBe(3);
    const [group] = groups.query({ limit: 5 }).groups;
    expect(group?.count).toBe(3);
    expect(group?.operations.map((op) => op.name).sort()).toEqual([
      `GET /unique/${n - 2}`,
      `GET /unique/${n - 1}`,
      `GET /unique/${n}`,
    ]);
    // So were the failing spans' operations, each still with its errors.
    expect(group?.failedIn.map((op) => [op.name, op.count]).sort()).toEqual([
      [`GET /unique/${n - 2}`, 1],
      [`GET /unique/${n - 1}`, 1],
      [`GET /unique/${n}`, 1],
    ]);
    // The table was rebuilt: a new error still finds (and adds) its operation.
    const trace = new TraceAggregate(traceId(n + 1));
    const root = rootSpan(n + 1, { name: "GET /unique/1", error: true });
    trace.add(root);
    groups.addSpan(root, trace);
    const [after] = groups.query({ limit: 5 }).groups;
    expect(after?.operations).toContainEqual({ service: "api", name: "GET /unique/1", count: 1 });
    expect(after?.failedIn).toContainEqual({ kind: "INTERNAL", name: "GET /unique/1", peer: null, count: 1 });
  });
});
