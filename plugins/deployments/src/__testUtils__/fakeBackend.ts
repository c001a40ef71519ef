import { DeploymentsClient } from '../api/DeploymentsClient';

/** One request the client made. */
export type Call = { url: string; method: string; body?: unknown };

/** The backend's base URL in the fake discovery. */
export const BACKEND_BASE = 'http://backend/api/deployments';

/**
 * A DeploymentsClient over a fetchApi that records each request and answers
 * each with a fresh `respond()`.
 */
export function fakeBackend(respond: () => Response) {
  const calls: Call[] = [];
  const fetchApi = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return respond();
    },
  };
  const discoveryApi = {
    getBaseUrl: async (pluginId: string) => `http://backend/api/${pluginId}`,
  };
  return { client: new DeploymentsClient({ discoveryApi, fetchApi }), calls };
}

/** A JSON answer. */
export function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
