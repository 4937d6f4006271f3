import type { Link } from "@opentelemetry/api";
import { DemoSpan } from "../demo-span.js";
import { callExternal, gap, postgresQuery, queryPostgres, runRedis, type Scenario } from "./common.js";

/**
 * A scheduled job that reconciles stock with the supplier's feed: one trace of a few hundred spans.
 * It links to the orders published since its last run, the spans that changed the stock it syncs.
 */
export const inventorySync: Scenario = {
  name: "inventory sync (batch job)",
  weight: 2,
  run(input) {
    const { random, tracers, at } = input;
    const batches = random.int(6, 9);
    const batchSize = random.int(25, 40);
    const links: Link[] = input.recent
      .latest(5)
      .map((context) => ({ context, attributes: { "app.link.reason": "order changed stock" } }));
    const job = DemoSpan.root(tracers.tracer("inventory-sync", "app"), "sync inventory", at, {
      links,
      attributes: {
        "job.name": "inventory-sync",
        "job.trigger": "cron",
        "job.schedule": "*/15 * * * *",
        "app.batch.count": batches,
        "app.batch.size": batchSize,
      },
    });
    let t = callExternal(
      input,
      job,
      "inventory-sync",
      {
        method: "GET",
        url: "https://feeds.supplier.example.com/v2/stock.csv",
        template: "/v2/stock.csv",
        status: 200,
        durationMs: random.latency(320),
      },
      at + gap(input),
    );
    t = queryPostgres(
      input,
      "inventory-sync",
      job,
      t + gap(input),
      {
        text: "SELECT product_id, sku, quantity, updated_at FROM inventory WHERE warehouse_id = $1 ORDER BY sku",
        operation: "SELECT",
        collection: "inventory",
        rows: batches * batchSize,
      },
      12,
    );
    let changed = 0;
    for (let index = 1; index <= batches; index++) {
      const batch = job.child(
        tracers.tracer("inventory-sync", "app"),
        `process batch ${index}/${batches}`,
        t + gap(input),
        {
          attributes: { "app.batch.index": index, "app.batch.size": batchSize },
        },
      );
      let bt = batch.start;
      for (let row = 0; row < batchSize; row++) {
        const sku = 1_000 + (index - 1) * batchSize + row;
        const queryStart = bt + random.between(0.02, 0.2);
        bt = postgresQuery(input, "inventory-sync", batch, queryStart, {
          text: [
            "UPDATE inventory SET quantity = $1, updated_at = now()",
            "WHERE product_id = $2 AND warehouse_id = $3 AND quantity IS DISTINCT FROM $1",
          ].join("\n"),
          operation: "UPDATE",
          collection: "inventory",
          rows: 1,
        }).end(queryStart + random.latency(0.9));
        if (random.chance(0.3)) {
          changed++;
          bt = runRedis(input, "inventory-sync", batch, bt + random.between(0.02, 0.1), `DEL product:${sku}`, 0.3);
        }
      }
      t = batch.end(bt + gap(input));
    }
    job.event("sync finished", t, { "app.rows.changed": changed, "app.rows.checked": batches * batchSize });
    job.set({ "app.rows.changed": changed });
    job.end(t + gap(input));
  },
};
