import type { DemoException } from "./demo-span.js";

/** Exceptions as the simulated Node services would record them, stack traces included. */

export function socketHangUp(): DemoException {
  return {
    type: "Error",
    message: "socket hang up",
    stacktrace: [
      "Error: socket hang up",
      "    at TLSSocket.socketOnEnd (node:_http_client:524:23)",
      "    at TLSSocket.emit (node:events:531:35)",
      "    at endReadableNT (node:internal/streams/readable:1698:12)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:90:21)",
    ].join("\n"),
  };
}

export function paymentProviderError(amount: string): DemoException {
  const message = `charge of ${amount} failed: api.stripe.com closed the connection (socket hang up) after 2 retries`;
  return {
    type: "PaymentProviderError",
    message,
    stacktrace: [
      `PaymentProviderError: ${message}`,
      "    at StripeGateway.charge (/app/src/gateways/stripe-gateway.ts:88:13)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)",
      "    at async ChargeService.capture (/app/src/charges/charge-service.ts:41:20)",
      "    at async /app/src/routes/charge.ts:27:22",
      "    at async dispatch (/app/node_modules/hono/dist/compose.js:22:17)",
      "    at async cors (/app/node_modules/hono/dist/middleware/cors/index.js:79:5)",
      "  [cause]: Error: socket hang up",
      "      at TLSSocket.socketOnEnd (node:_http_client:524:23)",
      "      at TLSSocket.emit (node:events:531:35)",
      "      at endReadableNT (node:internal/streams/readable:1698:12)",
    ].join("\n"),
  };
}

export function paymentFailedError(orderId: number): DemoException {
  const message = `payment-service answered 502 Bad Gateway while charging order ${orderId}`;
  return {
    type: "PaymentFailedError",
    message,
    stacktrace: [
      `PaymentFailedError: ${message}`,
      "    at PaymentClient.charge (/app/src/clients/payment-client.ts:54:11)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)",
      "    at async placeOrder (/app/src/orders/place-order.ts:73:5)",
      "    at async OrdersController.create (/app/src/orders/orders.controller.ts:31:19)",
      "    at async /app/node_modules/@fastify/otel/lib/index.js:412:16",
    ].join("\n"),
  };
}

export function redisCommandTimeout(): DemoException {
  return {
    type: "Error",
    message: "Command timed out",
    stacktrace: [
      "Error: Command timed out",
      "    at Timeout._onTimeout (/app/node_modules/ioredis/built/Command.js:192:33)",
      "    at listOnTimeout (node:internal/timers:594:17)",
      "    at process.processTimers (node:internal/timers:529:7)",
    ].join("\n"),
  };
}

export function anthropicOverloaded(): DemoException {
  const message = '529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
  return {
    type: "InternalServerError",
    message,
    stacktrace: [
      `Error: ${message}`,
      "    at APIError.generate (/app/node_modules/@anthropic-ai/sdk/core/error.js:63:20)",
      "    at Anthropic.makeStatusError (/app/node_modules/@anthropic-ai/sdk/client.js:187:32)",
      "    at Anthropic.makeRequest (/app/node_modules/@anthropic-ai/sdk/client.js:342:30)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)",
      "    at async SupportAgent.answer (/app/src/agent/support-agent.ts:112:22)",
      "    at async /app/src/routes/assist.ts:19:18",
    ].join("\n"),
  };
}
