import type { Attributes } from "@opentelemetry/api";

/** Span attributes as current OpenTelemetry semantic conventions name them. */

export interface HttpServerRequest {
  method: string;
  route: string;
  path: string;
  status: number;
  port: number;
  userAgent?: string;
  query?: string;
}

export function httpServerAttributes(request: HttpServerRequest): Attributes {
  return {
    "http.request.method": request.method,
    "http.route": request.route,
    "url.scheme": "http",
    "url.path": request.path,
    ...(request.query !== undefined ? { "url.query": request.query } : {}),
    "http.response.status_code": request.status,
    "server.address": "localhost",
    "server.port": request.port,
    "network.protocol.version": "1.1",
    "client.address": "127.0.0.1",
    ...(request.userAgent !== undefined ? { "user_agent.original": request.userAgent } : {}),
  };
}

export interface HttpClientRequest {
  method: string;
  url: string;
  /** Missing when no response came back (a network error). */
  status?: number;
  /** The route-like form of the URL, e.g. /api/orders/{id}. */
  template?: string;
  peerService?: string;
}

export function httpClientAttributes(request: HttpClientRequest): Attributes {
  const url = new URL(request.url);
  const defaultPort = url.protocol === "https:" ? 443 : 80;
  return {
    "http.request.method": request.method,
    "url.full": request.url,
    ...(request.template !== undefined ? { "url.template": request.template } : {}),
    "server.address": url.hostname,
    "server.port": url.port === "" ? defaultPort : Number(url.port),
    ...(request.status !== undefined ? { "http.response.status_code": request.status } : {}),
    "network.protocol.version": "1.1",
    ...(request.peerService !== undefined ? { "peer.service": request.peerService } : {}),
  };
}

export interface PostgresQuery {
  /** SQL as the driver sent it, with placeholders. */
  text: string;
  operation: string;
  collection: string;
  rows?: number;
}

export function postgresAttributes(query: PostgresQuery, database = "shop"): Attributes {
  return {
    "db.system.name": "postgresql",
    "db.namespace": database,
    "db.query.text": query.text,
    "db.operation.name": query.operation,
    "db.collection.name": query.collection,
    ...(query.rows !== undefined ? { "db.response.returned_rows": query.rows } : {}),
    "db.client.connection.pool.name": `${database}-pool`,
    "server.address": "localhost",
    "server.port": 5432,
  };
}

/** `command` as redis-cli would show it, e.g. `GET cart:42`. */
export function redisAttributes(command: string): Attributes {
  return {
    "db.system.name": "redis",
    "db.namespace": "0",
    "db.query.text": command,
    "db.operation.name": (command.split(" ")[0] ?? command).toUpperCase(),
    "server.address": "localhost",
    "server.port": 6379,
  };
}

export interface QueueMessage {
  destination: string;
  messageId: string;
  taskName: string;
  bodySize: number;
}

export function publishAttributes(message: QueueMessage): Attributes {
  return {
    "messaging.system": "rabbitmq",
    "messaging.destination.name": message.destination,
    "messaging.rabbitmq.destination.routing_key": message.destination,
    "messaging.operation.type": "publish",
    "messaging.operation.name": "apply_async",
    "messaging.message.id": message.messageId,
    "messaging.message.body.size": message.bodySize,
    "celery.task_name": message.taskName,
    "celery.action": "apply_async",
    "server.address": "localhost",
    "server.port": 5672,
  };
}

export function processAttributes(message: QueueMessage, attempt: number): Attributes {
  return {
    "messaging.system": "rabbitmq",
    "messaging.destination.name": message.destination,
    "messaging.operation.type": "process",
    "messaging.operation.name": "run",
    "messaging.message.id": message.messageId,
    "messaging.consumer.group.name": "email-workers",
    "celery.task_name": message.taskName,
    "celery.action": "run",
    "celery.retries": attempt - 1,
  };
}

export type GenAiProvider = "openai" | "anthropic";

export interface ChatCall {
  provider: GenAiProvider;
  requestModel: string;
  responseModel: string;
  responseId: string;
  inputTokens: number;
  outputTokens: number;
  finishReasons: string[];
  temperature: number;
  maxTokens: number;
}

export function chatAttributes(call: ChatCall): Attributes {
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": call.provider,
    "gen_ai.system": call.provider,
    "gen_ai.request.model": call.requestModel,
    "gen_ai.request.temperature": call.temperature,
    "gen_ai.request.max_tokens": call.maxTokens,
    "gen_ai.response.model": call.responseModel,
    "gen_ai.response.id": call.responseId,
    "gen_ai.response.finish_reasons": call.finishReasons,
    "gen_ai.usage.input_tokens": call.inputTokens,
    "gen_ai.usage.output_tokens": call.outputTokens,
    "server.address": call.provider === "openai" ? "api.openai.com" : "api.anthropic.com",
    "server.port": 443,
  };
}
