/** The simulated services, each with the version its resource reports. */
export const DEMO_SERVICES = {
  "web-frontend": "2.14.0",
  "checkout-api": "1.9.3",
  "payment-service": "0.12.1",
  "email-worker": "1.4.0",
  "support-assistant": "0.6.2",
  "inventory-sync": "0.8.4",
} as const satisfies Record<string, string>;

export type DemoService = keyof typeof DEMO_SERVICES;

export const DEMO_SERVICE_NAMES = Object.keys(DEMO_SERVICES) as DemoService[];

/** Where the services that answer HTTP listen, as their peers call them. */
export const SERVICE_PORTS = {
  "web-frontend": 3000,
  "checkout-api": 8081,
  "payment-service": 8082,
  "support-assistant": 8083,
} as const;

export type HttpService = keyof typeof SERVICE_PORTS;

/**
 * Instrumentation libraries that would produce each kind of span; each becomes the span's scope.
 * `app` is the service's own manual instrumentation.
 */
export const INSTRUMENTATION_SCOPES = {
  http: "@opentelemetry/instrumentation-http",
  pg: "@opentelemetry/instrumentation-pg",
  redis: "@opentelemetry/instrumentation-ioredis",
  amqp: "@opentelemetry/instrumentation-amqplib",
  openai: "@opentelemetry/instrumentation-openai",
  anthropic: "@traceloop/instrumentation-anthropic",
  app: "app",
} as const;

export type Instrumentation = keyof typeof INSTRUMENTATION_SCOPES;
