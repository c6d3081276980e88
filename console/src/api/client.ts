/**
 * The typed API client: openapi-fetch over the types generated from the API's OpenAPI document
 * (schema.d.ts), so a request or response that no longer matches a route fails type-checking. Every
 * answer that is not a success becomes an ApiError carrying the RFC 9457 problem (status, detail, the
 * fields it names); a network failure becomes an ApiError with status 0 ("the API is unreachable").
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
  }
  get status() {
    return this.problem.status;
  }
  /** The problem's messages for a form field (`body.title` → title). */
  fieldErrors(prefix = 'body'): Array<{ name: (string | number)[]; errors: string[] }> {
    const byField = new Map<string, string[]>();
    for (const e of this.problem.errors ?? []) {
      const path = e.path.startsWith(`${prefix}.`) ? e.path.slice(prefix.length + 1) : e.path;
      byField.set(path, [...(byField.get(path) ?? []), e.message]);
    }
    return [...byField].map(([path, errors]) => ({
      name: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      errors,
    }));
  }
}

export type Api = ReturnType<typeof createApi>;

export function createApi(baseUrl: string, token: () => string | undefined, onUnauthorized: () => void) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const t = token();
      if (t) request.headers.set('authorization', `Bearer ${t}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** The problem of a failed call: the API's own, the gateway's ({message}), or "unreachable". */
export async function problemOf(response: Response | undefined, error: unknown): Promise<ApiError> {
  if (!response) return new ApiError({ status: 0, title: 'Unreachable', detail: '无法连接服务' });
  const body = (error ?? {}) as Record<string, unknown>;
  const detail =
    typeof body.detail === 'string'
      ? body.detail
      : typeof body.message === 'string'
        ? body.message
        : `HTTP ${response.status}`;
  return new ApiError({ ...body, status: response.status, detail } as Problem);
}

/** Unwraps an openapi-fetch answer: the data, or throws its ApiError. */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch {
    throw await problemOf(undefined, undefined);
  }
  if (answer.error !== undefined || !answer.response.ok) throw await problemOf(answer.response, answer.error);
  return answer.data as T;
}
