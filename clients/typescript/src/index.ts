/**
 * The API client: openapi-fetch, typed by `schema.d.ts`, which `make client` generates from
 * the repository's `openapi.json`. Paths, bodies, parameters and every declared response
 * (problem documents included) are checked by the compiler.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** A schema of the document by name, e.g. `Schema<"Article">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** A client for the API at `baseUrl` (e.g. "http://127.0.0.1:8000"), sending `token` if given. */
export function createApiClient(baseUrl: string, token?: string): Client<paths> {
  const client = createClient<paths>({ baseUrl });
  if (token !== undefined) {
    const authenticate: Middleware = {
      onRequest({ request }) {
        request.headers.set("Authorization", `Token ${token}`);
        return request;
      },
    };
    client.use(authenticate);
  }
  return client;
}
