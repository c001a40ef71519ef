import { createServer, Server, Socket, connect } from 'node:net';
import { AddressInfo } from 'node:net';

/** A loopback TCP proxy whose link can be cut and restored, for fault tests. */
export type FaultProxy = {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Drops every open connection and refuses new ones (as if the cluster went away). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
};

/**
 * Starts a TCP proxy in front of an API server. TLS passes through untouched,
 * so clients keep verifying the real server certificate (valid for 127.0.0.1).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer(client => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    restore() {
      down = false;
    },
    close() {
      cut();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}
