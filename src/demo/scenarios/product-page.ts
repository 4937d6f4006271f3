import type { DemoSpan } from "../demo-span.js";
import { PRODUCTS } from "./catalog.js";
import {
  callService,
  gap,
  type HttpOutcome,
  queryPostgres,
  renderPage,
  runRedis,
  type Scenario,
  type ScenarioInput,
  serveFrontend,
} from "./common.js";

/** The most common request: a product page, usually served from the Redis cache. */
export const productPage: Scenario = {
  name: "product page",
  weight: 30,
  run(input) {
    const product = input.random.pick(PRODUCTS);
    serveFrontend(input, { method: "GET", route: "/products/:slug", path: `/products/${product.slug}` }, (root, at) => {
      const api = callService(
        input,
        root,
        {
          from: "web-frontend",
          to: "checkout-api",
          method: "GET",
          route: "/api/products/:id",
          path: `/api/products/${product.id}`,
        },
        at,
        (server, start) => loadProduct(input, server, start, product.id),
      );
      const end = renderPage(input, root, api.end + gap(input), "ProductPage");
      return { end: end + gap(input), status: 200 };
    });
  },
};

function loadProduct(input: ScenarioInput, server: DemoSpan, start: number, id: number): HttpOutcome {
  const cacheKey = `product:${id}`;
  let t = runRedis(input, "checkout-api", server, start, `GET ${cacheKey}`);
  const cached = input.random.chance(0.75);
  if (cached) {
    server.event("cache hit", t, { "cache.key": cacheKey });
  } else {
    server.event("cache miss", t, { "cache.key": cacheKey, "cache.ttl_seconds": 300 });
    t = queryPostgres(
      input,
      "checkout-api",
      server,
      t + gap(input),
      {
        text: [
          "SELECT p.id, p.slug, p.name, p.description, p.price_cents, i.quantity AS stock",
          "FROM products p",
          "JOIN inventory i ON i.product_id = p.id",
          "WHERE p.id = $1 AND p.published = true",
        ].join("\n"),
        operation: "SELECT",
        collection: "products",
        rows: 1,
      },
      3,
    );
    t = runRedis(input, "checkout-api", server, t + gap(input), `SETEX ${cacheKey} 300 <2.1 KB json>`);
  }
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: [
        "SELECT round(avg(r.rating), 1) AS rating, count(*) AS reviews",
        "FROM reviews r",
        "WHERE r.product_id = $1 AND r.hidden = false",
      ].join("\n"),
      operation: "SELECT",
      collection: "reviews",
      rows: 1,
    },
    2,
  );
  server.set({ "app.product.id": id, "app.cache.hit": cached });
  return { end: t + gap(input), status: 200 };
}
