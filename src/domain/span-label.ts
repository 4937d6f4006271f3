/**
 * What a span is called where one span is shown on its own: the trace view's rows, and `tail errors`.
 * HTTP instrumentations (the OpenTelemetry Node one, and the TraceKit SDKs built on it) name server and
 * client spans after the bare method, so a trace reads "GET, GET, GET"; such spans are labelled with
 * what they were for: a server span with its route (else its path), a client span with the host and
 * path it called. Every other span keeps its name. Which names are a bare method is trace-name.ts's
 * rule, the one that names traces and operations, so a root span reads like the trace list's name for it.
 */

import { type Attributes, type SpanKind, stringAttribute } from "./span.js";
import { bareHttpMethod } from "./trace-name.js";

/** The path of a path-and-query ("/a/b?x=1#f" → "/a/b"). */
function withoutQuery(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

const ABSOLUTE_URL = /^([a-z][a-z\d+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)/i;

/** Host (with a port other than the scheme's default) and path of an absolute URL; no user, query or fragment. */
export function urlHostAndPath(url: string): { host: string; path: string } | null {
  const match = ABSOLUTE_URL.exec(url);
  if (match === null) return null;
  const scheme = (match[1] as string).toLowerCase();
  let host = (match[2] as string).toLowerCase();
  if ((scheme === "http" && host.endsWith(":80")) || (scheme === "https" && host.endsWith(":443"))) {
    host = host.slice(0, host.lastIndexOf(":"));
  }
  return { host, path: match[3] || "/" };
}

function clientTarget(attributes: Attributes): string | null {
  const url = stringAttribute(attributes, "url.full", "http.url");
  const parsed = url === undefined ? null : urlHostAndPath(url);
  if (parsed) return `${parsed.host}${parsed.path}`;
  const host = stringAttribute(attributes, "server.address", "net.peer.name");
  const target = stringAttribute(attributes, "url.path", "http.target");
  const path = target === undefined ? "" : withoutQuery(target);
  if (host === undefined) return path || null;
  const port = attributes["server.port"] ?? attributes["net.peer.port"];
  const portSuffix =
    port !== undefined && port !== "" && String(port) !== "80" && String(port) !== "443" ? `:${port}` : "";
  return `${host}${portSuffix}${path}`;
}

function serverTarget(attributes: Attributes): string | null {
  const route = stringAttribute(attributes, "http.route");
  if (route !== undefined) return route;
  const target = stringAttribute(attributes, "url.path", "http.target");
  if (target !== undefined) return withoutQuery(target);
  const url = stringAttribute(attributes, "url.full", "http.url");
  if (url === undefined) return null;
  return urlHostAndPath(url)?.path ?? withoutQuery(url);
}

/** A span's label: its name, or for a CLIENT/SERVER span named just an HTTP method, method plus target. */
export function spanLabel(span: { name: string; kind: SpanKind; attributes: Attributes }): string {
  if (span.kind !== "CLIENT" && span.kind !== "SERVER") return span.name;
  const method = bareHttpMethod(span.name, span.attributes);
  if (method === undefined) return span.name;
  const target = span.kind === "CLIENT" ? clientTarget(span.attributes) : serverTarget(span.attributes);
  return target ? `${method} ${target}` : span.name;
}
