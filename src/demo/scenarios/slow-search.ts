import { SEARCH_TERMS } from "./catalog.js";
import { callService, gap, postgresQuery, renderPage, runRedis, type Scenario, serveFrontend } from "./common.js";

/** A product search whose un-indexed query takes one to two seconds: the slow request to find. */
export const slowSearch: Scenario = {
  name: "slow search",
  weight: 5,
  run(input) {
    const { random } = input;
    const term = random.pick(SEARCH_TERMS);
    const query = `q=${encodeURIComponent(term).replace(/%20/g, "+")}`;
    serveFrontend(input, { method: "GET", route: "/search", path: "/search", query }, (root, at) => {
      const api = callService(
        input,
        root,
        {
          from: "web-frontend",
          to: "checkout-api",
          method: "GET",
          route: "/api/products/search",
          path: "/api/products/search",
          query,
        },
        at,
        (server, start) => {
          const cacheKey = `search:${term.replace(/ /g, "-")}:page:1`;
          let t = runRedis(input, "checkout-api", server, start, `GET ${cacheKey}`);
          server.event("cache miss", t, { "cache.key": cacheKey });
          const rows = random.int(3, 40);
          const queryStart = t + gap(input);
          t = postgresQuery(input, "checkout-api", server, queryStart, {
            text: [
              "SELECT p.id, p.slug, p.name, p.price_cents, coalesce(avg(r.rating), 0) AS rating, count(r.id) AS reviews",
              "FROM products p",
              "LEFT JOIN reviews r ON r.product_id = p.id AND r.hidden = false",
              "JOIN inventory i ON i.product_id = p.id",
              "WHERE (p.name ILIKE '%' || $1 || '%' OR p.description ILIKE '%' || $1 || '%')",
              "  AND p.published = true AND i.quantity > 0",
              "GROUP BY p.id",
              "ORDER BY rating DESC, reviews DESC",
              "LIMIT 24 OFFSET 0",
            ].join("\n"),
            operation: "SELECT",
            collection: "products",
            rows,
          }).end(queryStart + random.between(1_000, 2_000));
          server.event("slow query", t, { "db.duration_ms": Math.round(t - queryStart), "app.threshold_ms": 500 });
          t = runRedis(input, "checkout-api", server, t + gap(input), `SETEX ${cacheKey} 60 <${rows} results>`);
          server.set({ "app.search.term": term, "app.search.results": rows });
          return { end: t + gap(input), status: 200 };
        },
      );
      const end = renderPage(input, root, api.end + gap(input), "SearchResults");
      return { end: end + gap(input), status: 200 };
    });
  },
};
