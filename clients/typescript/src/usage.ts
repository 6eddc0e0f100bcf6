/**
 * What a frontend writes against the client, checked by `tsc` (`make client`), never run.
 * Conduit-specific: replace it with your own operations when you remove the domain.
 */
import { createApiClient, type Schema } from "./index.js";

function failure(error: Schema<"Problem">): Error {
  return new Error(`${error.status} ${error.title}: ${error.detail ?? ""}`);
}

/** Log in, then publish an article as that user. */
export async function publish(
  baseUrl: string,
  credentials: Schema<"LoginCredentials">,
  article: Schema<"NewArticle">,
): Promise<Schema<"Article">> {
  const login = await createApiClient(baseUrl).POST("/api/users/login", {
    body: { user: credentials },
  });
  if (login.error) throw failure(login.error);

  const api = createApiClient(baseUrl, login.data.user.token);
  const created = await api.POST("/api/articles", { body: { article } });
  if (created.error) throw failure(created.error);

  const read = await api.GET("/api/articles/{slug}", {
    params: { path: { slug: created.data.article.slug } },
  });
  if (read.error) throw failure(read.error);
  return read.data.article;
}
