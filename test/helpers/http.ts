import { request } from "node:http";

/** A raw HTTP request, for headers fetch() will not let a test set (Host). */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path, headers: options.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The JSON body of a response, typed loosely for assertions. */
export async function readJson(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** A GET's status, its body's length in characters (to compare answer forms) and its JSON. */
export async function getSized(url: string): Promise<{ status: number; bytes: number; body: any }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, bytes: text.length, body: JSON.parse(text) };
}
