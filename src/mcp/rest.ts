/** The one way the tools reach tracekit-local: GET requests to its REST API. */
import { parseJsonExact } from "../domain/exact-json.js";

/** Answers a GET of `pathAndQuery` (e.g. `/api/traces?limit=5`) as `fetch` would. */
export type RestGet = (pathAndQuery: string) => Promise<Response>;

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface RestClient {
  /** The JSON answer; an Error with the API's own reason on a 4xx/5xx or when nothing answers. */
  get<T>(path: string, params?: QueryParams): Promise<T>;
  /** Like get, but null on 404 (an unknown trace or metric). */
  find<T>(path: string, params?: QueryParams): Promise<T | null>;
  /** Like find, but an integer past 2^53 in the answer is a bigint with its exact digits (a snapshot's variables). */
  findExact<T>(path: string): Promise<T | null>;
}

/** A problem with what the tool was asked (shown to the model as the tool's error, with the reason). */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}

function withQuery(path: string, params: QueryParams = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text === "" ? path : `${path}?${text}`;
}

async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // Not the API's JSON error: the status says enough.
  }
  return `HTTP ${response.status}`;
}

/** `where` names the instance in errors (its URL, or "this server"). */
export function createRestClient(get: RestGet, where: string): RestClient {
  async function request(path: string, params: QueryParams | undefined): Promise<Response> {
    try {
      return await get(withQuery(path, params));
    } catch (error) {
      throw new Error(`tracekit-local did not answer at ${where}: ${(error as Error).message}; is it still running?`);
    }
  }
  async function json<T>(response: Response, path: string, exact = false): Promise<T> {
    if (response.ok) return (exact ? parseJsonExact(await response.text()) : await response.json()) as T;
    const reason = await reasonOf(response);
    if (response.status >= 400 && response.status < 500) throw new ToolInputError(reason);
    throw new Error(`tracekit-local answered ${response.status} for ${path}: ${reason}`);
  }
  return {
    async get<T>(path: string, params?: QueryParams) {
      return json<T>(await request(path, params), path);
    },
    async find<T>(path: string, params?: QueryParams) {
      const response = await request(path, params);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      return json<T>(response, path);
    },
    async findExact<T>(path: string) {
      const response = await request(path, undefined);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      return json<T>(response, path, true);
    },
  };
}
