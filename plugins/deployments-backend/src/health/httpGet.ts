import { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';

/** What a probe keeps of an answer: the status and the start of the body. */
export type HttpAnswer = {
  status: number;
  /** At most MAX_BODY_BYTES of the body, for parsing only; never returned. */
  body: string;
  contentType?: string;
};

const MAX_BODY_BYTES = 64 * 1024;

/**
 * One GET with node's http client: no redirects followed, the body cut at
 * 64 KiB, aborted by `signal`. With `addresses`, the connection goes to one of
 * those (already checked) addresses whatever DNS says now, while TLS still
 * verifies the URL's host name.
 */
export function httpGet(
  url: URL,
  options: {
    signal: AbortSignal;
    addresses?: LookupAddress[];
    agent?: http.Agent;
    /** Extra TLS and header options (the Kubernetes client's, for the service proxy). */
    requestOptions?: https.RequestOptions;
  },
): Promise<HttpAnswer> {
  const { signal, addresses } = options;
  const client = url.protocol === 'https:' ? https : http;
  const requestOptions: https.RequestOptions = {
    ...options.requestOptions,
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: {
      accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
      'user-agent': 'backstage-deployments-health',
      ...(options.requestOptions?.headers as Record<string, string>),
    },
    signal,
  };
  if (options.agent && !options.requestOptions?.agent) {
    requestOptions.agent = options.agent;
  }
  if (url.username || url.password) {
    requestOptions.auth = `${decodeURIComponent(
      url.username,
    )}:${decodeURIComponent(url.password)}`;
  }
  if (addresses) {
    requestOptions.lookup = ((
      _hostname: string,
      lookupOptions: { all?: boolean },
      callback: (...args: unknown[]) => void,
    ) => {
      if (lookupOptions?.all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    }) as unknown as https.RequestOptions['lookup'];
  }

  return new Promise((resolve, reject) => {
    const request = client.request(requestOptions, response => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: response.headers['content-type'],
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (size >= MAX_BODY_BYTES) return;
        const room = MAX_BODY_BYTES - size;
        chunks.push(chunk.subarray(0, room));
        size += Math.min(chunk.length, room);
        if (size >= MAX_BODY_BYTES) {
          // Enough to parse the few fields we need; stop reading.
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Why a request got no answer, in words. `budgetMs` is the time budget whose
 * end aborted it, if that is what happened.
 */
export function describeNetworkError(
  error: unknown,
  aborted: { signal: AbortSignal; budgetMs: number },
): string {
  if (aborted.signal.aborted) {
    return `no answer within ${aborted.budgetMs} ms`;
  }
  const code = codeOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'host name not found (DNS)';
    case 'ECONNRESET':
      return 'connection reset by the service';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'TLS handshake failed (is it http rather than https?)';
    default:
      if (code && /CERT|TLS|SSL/.test(code)) {
        return `TLS: the certificate was not accepted (${code})`;
      }
      if (code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_ARG_TYPE') {
        return 'invalid URL';
      }
      return (error as Error)?.message || 'no answer';
  }
}

function codeOf(error: unknown): string | undefined {
  let node = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; node && depth < 4; depth++) {
    if (typeof node.code === 'string') return node.code;
    node = node.cause as typeof node;
  }
  return undefined;
}
