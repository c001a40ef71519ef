import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** How the server answers one request: a status (with headers), or never. */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string> }
  | 'hang';

/**
 * A real HTTP server on a free local port standing in for a chat's incoming
 * webhook: it answers the requests in the order of `answers` (the last one
 * repeats) and keeps every request's JSON body with the status it got
 * (`undefined` for one left hanging). Its URL carries a token, like chat
 * webhooks' do, so tests can check that it never leaks.
 */
export async function startWebhookServer(answers: ScriptedAnswer[]) {
  const requests: Array<{
    body: unknown;
    contentType?: string;
    status?: number;
    at: number;
  }> = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      const answer = answers[Math.min(requests.length, answers.length - 1)];
      const entry = {
        body: JSON.parse(text) as unknown,
        contentType: req.headers['content-type'],
        status: answer === 'hang' ? undefined : answer.status,
        at: Date.now(),
      };
      requests.push(entry);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers).end('ok');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/s3cr3t-token`,
    requests,
    /** The bodies the server took (answered 2xx). */
    delivered: () =>
      requests
        .filter(r => r.status !== undefined && r.status < 300)
        .map(r => r.body),
    close: () =>
      new Promise<void>(r => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
