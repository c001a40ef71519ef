import { createServer, Server, Socket, connect } from 'node:net';
import { AddressInfo } from 'node:net';

/** A loopback TCP proxy whose link can be cut and restored, for fault tests. */
export type FaultProxy = {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Drops every open connection and refuses new ones (as if the cluster went away). */
  cut(): void;
  restore(): void;
  /**
   * Drops every open connection and keeps accepting new ones, as a load
   * balancer that closes long-lived connections does.
   */
  drop(): void;
  /** How many connections were accepted so far. */
  connections(): number;
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
  let accepted = 0;
  const server: Server = createServer(client => {
    if (down) {
      client.destroy();
      return;
    }
    accepted++;
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
  const drop = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const cut = () => {
    down = true;
    drop();
  };
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    restore() {
      down = false;
    },
    drop,
    connections: () => accepted,
    close() {
      cut();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}
