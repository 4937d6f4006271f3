import type { DemoSpan } from "../demo-span.js";
import { redisCommandTimeout } from "../exceptions.js";
import {
  callService,
  gap,
  type HttpOutcome,
  queryPostgres,
  redisCommand,
  renderPage,
  type Scenario,
  type ScenarioInput,
  serveFrontend,
} from "./common.js";

/** ioredis gives up on a command after this long. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/** GET /checkout: the cart review page. With `redisTimesOut` the cart cache hangs and Postgres answers instead. */
function cartPage(redisTimesOut: boolean): Scenario {
  return {
    name: redisTimesOut ? "checkout page, Redis timeout" : "checkout page",
    weight: redisTimesOut ? 4 : 10,
    run(input) {
      const cartId = input.random.int(10, 9_999);
      serveFrontend(input, { method: "GET", route: "/checkout", path: "/checkout" }, (root, at) => {
        const api = callService(
          input,
          root,
          {
            from: "web-frontend",
            to: "checkout-api",
            method: "GET",
            route: "/api/carts/:id",
            path: `/api/carts/${cartId}`,
          },
          at,
          (server, start) => loadCart(input, server, start, cartId, redisTimesOut),
        );
        const end = renderPage(input, root, api.end + gap(input), "CheckoutPage");
        return { end: end + gap(input), status: 200 };
      });
    },
  };
}

function loadCart(
  input: ScenarioInput,
  server: DemoSpan,
  start: number,
  cartId: number,
  timesOut: boolean,
): HttpOutcome {
  const { random } = input;
  const key = `cart:${cartId}`;
  const get = redisCommand(input, "checkout-api", server, start, `GET ${key}`);
  let t: number;
  const items = random.int(1, 6);
  if (timesOut) {
    t = start + REDIS_COMMAND_TIMEOUT_MS + random.between(0, 3);
    get.fail(t, redisCommandTimeout());
    get.end(t);
    server.event("cache unavailable", t, { "cache.key": key, "app.fallback": "postgres" });
  } else {
    t = get.end(start + random.latency(0.4));
    if (random.chance(0.8)) {
      server.event("cache hit", t, { "cache.key": key });
      server.set({ "app.cart.id": cartId, "app.cart.items": items, "app.cache.hit": true });
      return { end: t + gap(input), status: 200 };
    }
    server.event("cache miss", t, { "cache.key": key });
  }
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: [
        "SELECT ci.product_id, ci.quantity, p.name, p.price_cents, i.quantity AS stock",
        "FROM cart_items ci",
        "JOIN products p ON p.id = ci.product_id",
        "LEFT JOIN inventory i ON i.product_id = ci.product_id",
        "WHERE ci.cart_id = $1",
        "ORDER BY ci.added_at",
      ].join("\n"),
      operation: "SELECT",
      collection: "cart_items",
      rows: items,
    },
    4,
  );
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: "SELECT id, carrier, label, price_cents FROM shipping_options WHERE country = $1 AND active ORDER BY price_cents",
      operation: "SELECT",
      collection: "shipping_options",
      rows: 3,
    },
    1.5,
  );
  server.set({ "app.cart.id": cartId, "app.cart.items": items, "app.cache.hit": false });
  return { end: t + gap(input), status: 200 };
}

export const checkoutPage = cartPage(false);
export const checkoutPageRedisTimeout = cartPage(true);
