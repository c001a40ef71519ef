import http from 'node:http';
import net, { AddressInfo } from 'node:net';

/** A real HTTP server implementing the health contract, with switchable behaviour. */
export type ContractServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Requests received, by path. */
  requests: string[];
  /** The most requests that were in progress at once. */
  maxInFlight(): number;
  set(behaviour: Partial<ContractBehaviour>): void;
  close(): Promise<void>;
};

export type ContractBehaviour = {
  environment: string;
  ready: boolean;
  /** Delay before every answer, in ms. */
  delayMs: number;
  /** Status of GET /health. */
  livenessStatus: number;
};

/** Starts a contract server on a free loopback port; paths may carry a prefix. */
export async function startContractServer(
  initial: Partial<ContractBehaviour> & { environment: string },
  options: { host?: string } = {},
): Promise<ContractServer> {
  const behaviour: ContractBehaviour = {
    ready: true,
    delayMs: 0,
    livenessStatus: 200,
    ...initial,
  };
  const requests: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const answer = () => {
      const path = (req.url ?? '').replace(/^\/[a-z]+(?=\/(health|api))/, '');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === '/health') {
        json(behaviour.livenessStatus, { status: 'ok' });
      } else if (path === '/api/v2/health') {
        json(200, {
          status: 'ok',
          environment: behaviour.environment,
          timestamp: new Date().toISOString(),
          secret: 'never-shown',
        });
      } else if (path === '/api/v2/ready') {
        if (behaviour.ready) {
          json(200, { status: 'ready', database: 'ok' });
        } else {
          json(503, { status: 'not ready', database: 'down' });
        }
      } else {
        json(404, { error: 'not found' });
      }
    };
    if (behaviour.delayMs > 0) {
      setTimeout(answer, behaviour.delayMs).unref();
    } else {
      answer();
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>(resolve => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    requests,
    maxInFlight: () => maxInFlight,
    set(change) {
      Object.assign(behaviour, change);
    },
    close() {
      server.closeAllConnections();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts connections and never answers (a hung service or cluster). */
export async function startBlackHole(): Promise<{
  port: number;
  connections: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer(socket => {
    count++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}
