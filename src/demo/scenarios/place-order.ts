import { SpanKind } from "@opentelemetry/api";
import { processAttributes, publishAttributes, type QueueMessage } from "../attributes.js";
import type { DemoSpan } from "../demo-span.js";
import { paymentFailedError, paymentProviderError, socketHangUp } from "../exceptions.js";
import { formatEuros, PRODUCTS } from "./catalog.js";
import {
  callExternal,
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

interface Order {
  id: number;
  cartId: number;
  customerId: number;
  items: number;
  total: number;
}

/**
 * POST /checkout: the order crosses web-frontend → checkout-api → payment-service → api.stripe.com,
 * and a confirmation email goes through RabbitMQ to email-worker. When `paymentFails`, Stripe drops
 * the connection, payment-service answers 502 and the frontend 500.
 */
function placeOrder(paymentFails: boolean): Scenario {
  return {
    name: paymentFails ? "place order, payment fails" : "place order",
    weight: paymentFails ? 4 : 18,
    run(input) {
      const { random } = input;
      const items = random.int(1, 4);
      const order: Order = {
        id: random.int(10_000, 99_999),
        cartId: random.int(10, 9_999),
        customerId: random.int(1, 5_000),
        items,
        total: sumPrices(Array.from({ length: items }, () => random.pick(PRODUCTS).price)),
      };
      serveFrontend(input, { method: "POST", route: "/checkout", path: "/checkout" }, (root, at) => {
        root.set({
          "app.user.authenticated": random.chance(0.8),
          "app.feature_flags": random.pick([["new-checkout"], ["new-checkout", "apple-pay"], []]),
        });
        const api = callService(
          input,
          root,
          { from: "web-frontend", to: "checkout-api", method: "POST", route: "/api/orders", path: "/api/orders" },
          at,
          (server, start) => createOrder(input, server, start, order, paymentFails),
        );
        if (api.status >= 500) return { end: api.end + gap(input), status: 500 };
        const end = renderPage(input, root, api.end + gap(input), "OrderConfirmation");
        return { end: end + gap(input), status: 200 };
      });
    },
  };
}

/** In cents, so the total has no floating-point residue. */
function sumPrices(prices: number[]): number {
  return prices.reduce((cents, price) => cents + Math.round(price * 100), 0) / 100;
}

function createOrder(
  input: ScenarioInput,
  server: DemoSpan,
  start: number,
  order: Order,
  paymentFails: boolean,
): HttpOutcome {
  server.set({ "app.order.id": order.id, "app.order.total": order.total, "app.cart.items": order.items });
  const context = server.spanContext;
  input.snapshots?.checkout({ traceId: context.traceId, spanId: context.spanId, at: start, order });
  let t = runRedis(input, "checkout-api", server, start, `GET cart:${order.cartId}`);
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: [
        "SELECT ci.product_id, ci.quantity, p.price_cents, i.quantity AS stock",
        "FROM cart_items ci",
        "JOIN products p ON p.id = ci.product_id",
        "JOIN inventory i ON i.product_id = ci.product_id",
        "WHERE ci.cart_id = $1",
        "FOR UPDATE OF i",
      ].join("\n"),
      operation: "SELECT",
      collection: "cart_items",
      rows: order.items,
    },
    4,
  );
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: [
        "INSERT INTO orders (customer_id, cart_id, status, total_cents, currency, created_at)",
        "VALUES ($1, $2, 'pending', $3, 'EUR', now())",
        "RETURNING id",
      ].join("\n"),
      operation: "INSERT",
      collection: "orders",
      rows: 1,
    },
    2.5,
  );
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: [
        "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)",
        "SELECT $1, ci.product_id, ci.quantity, p.price_cents",
        "FROM cart_items ci JOIN products p ON p.id = ci.product_id",
        "WHERE ci.cart_id = $2",
      ].join("\n"),
      operation: "INSERT",
      collection: "order_items",
      rows: order.items,
    },
    3,
  );
  const payment = callService(
    input,
    server,
    { from: "checkout-api", to: "payment-service", method: "POST", route: "/charge", path: "/charge" },
    t + gap(input),
    (paymentServer, paymentStart) => charge(input, paymentServer, paymentStart, order, paymentFails),
  );
  t = payment.end;
  const status = payment.status >= 400 ? "payment_failed" : "paid";
  t = queryPostgres(
    input,
    "checkout-api",
    server,
    t + gap(input),
    {
      text: "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2",
      operation: "UPDATE",
      collection: "orders",
      rows: 1,
    },
    1.5,
  );
  if (payment.status >= 400) {
    return { end: t + gap(input), status: 500, exception: paymentFailedError(order.id) };
  }
  t = sendConfirmationEmail(input, server, t + gap(input), order);
  t = runRedis(input, "checkout-api", server, t + gap(input), `DEL cart:${order.cartId}`);
  server.set({ "app.order.status": status });
  return { end: t + gap(input), status: 201 };
}

function charge(input: ScenarioInput, server: DemoSpan, start: number, order: Order, fails: boolean): HttpOutcome {
  const { random } = input;
  const amount = formatEuros(order.total);
  server.set({ "app.payment.amount": order.total, "app.payment.currency": "EUR", "app.payment.provider": "stripe" });
  let t = queryPostgres(
    input,
    "payment-service",
    server,
    start,
    {
      text: [
        "SELECT pm.id, pm.provider_token, pm.brand, pm.last4",
        "FROM payment_methods pm",
        "WHERE pm.customer_id = $1 AND pm.is_default AND pm.deleted_at IS NULL",
        "LIMIT 1",
      ].join("\n"),
      operation: "SELECT",
      collection: "payment_methods",
      rows: 1,
    },
    2,
  );
  const stripe = {
    method: "POST",
    url: "https://api.stripe.com/v1/payment_intents",
    template: "/v1/payment_intents",
  };
  if (fails) {
    // Stripe drops the connection; the client retries twice with backoff, then gives up.
    for (let attempt = 1; attempt <= 3; attempt++) {
      t = callExternal(
        input,
        server,
        "payment-service",
        { ...stripe, durationMs: random.latency(180) },
        t + (attempt === 1 ? gap(input) : 250 * 2 ** (attempt - 2)),
        socketHangUp(),
      );
    }
    server.event("payment declined", t, { "app.payment.reason": "provider_unreachable", "app.payment.attempts": 3 });
    return { end: t + gap(input), status: 502, exception: paymentProviderError(amount) };
  }
  t = callExternal(
    input,
    server,
    "payment-service",
    { ...stripe, status: 200, durationMs: random.latency(260) },
    t + gap(input),
  );
  t = queryPostgres(
    input,
    "payment-service",
    server,
    t + gap(input),
    {
      text: [
        "INSERT INTO payments (order_id, provider, provider_ref, amount_cents, currency, status)",
        "VALUES ($1, 'stripe', $2, $3, 'EUR', 'succeeded')",
      ].join("\n"),
      operation: "INSERT",
      collection: "payments",
      rows: 1,
    },
    2,
  );
  return { end: t + gap(input), status: 200 };
}

/** Publishes the email task; the worker picks it up a little later in the same trace. Returns when publishing ended. */
function sendConfirmationEmail(input: ScenarioInput, server: DemoSpan, at: number, order: Order): number {
  const { random, tracers } = input;
  const message: QueueMessage = {
    destination: "emails",
    messageId: `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`,
    taskName: "emails.send_order_confirmation",
    bodySize: random.int(380, 900),
  };
  const publish = server.child(tracers.tracer("checkout-api", "amqp"), "publish emails", at, {
    kind: SpanKind.PRODUCER,
    attributes: publishAttributes(message),
  });
  const published = publish.end(at + random.latency(0.8));
  input.recent.remember(publish.spanContext);

  const pickedUp = published + random.latency(15);
  // Parented by the publish span (the task runs for this request) and, as the messaging conventions
  // ask of process spans, linked to the message's creation context too.
  const task = publish.remote(tracers.tracer("email-worker", "amqp"), "process emails", pickedUp, {
    kind: SpanKind.CONSUMER,
    attributes: processAttributes(message, 1),
    links: [{ context: publish.spanContext, attributes: { "messaging.message.id": message.messageId } }],
  });
  let t = queryPostgres(
    input,
    "email-worker",
    task,
    pickedUp + gap(input),
    {
      text: [
        "SELECT o.id, o.total_cents, c.email, c.first_name, c.locale",
        "FROM orders o JOIN customers c ON c.id = o.customer_id",
        "WHERE o.id = $1",
      ].join("\n"),
      operation: "SELECT",
      collection: "orders",
      rows: 1,
    },
    2,
  );
  const render = task.child(tracers.tracer("email-worker", "app"), "render order_confirmation", t + gap(input), {
    attributes: { "app.email.template": "order_confirmation", "app.email.locale": "en-GB" },
  });
  t = render.end(render.start + random.latency(8));
  t = callExternal(
    input,
    task,
    "email-worker",
    {
      method: "POST",
      url: "https://api.sendgrid.com/v3/mail/send",
      template: "/v3/mail/send",
      status: 202,
      durationMs: random.latency(120),
    },
    t + gap(input),
  );
  task.set({ "celery.state": "SUCCESS", "app.order.id": order.id });
  task.end(t + gap(input));
  return published;
}

export const placeOrderScenario = placeOrder(false);
export const placeOrderPaymentFails = placeOrder(true);
