import ipaddr from 'ipaddr.js';
import { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Host names of cloud metadata services (credentials live behind them). */
const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
]);

/** Why each kind of address is not probed unless allowed. */
const RANGE_REASONS: Record<string, string> = {
  unspecified: 'the unspecified address (this host)',
  loopback: 'a loopback address (this host)',
  private: 'a private address',
  carrierGradeNat: 'a carrier-grade NAT address',
  linkLocal: 'a link-local address (cloud metadata services live there)',
  uniqueLocal: 'a unique-local address (cloud metadata services live there)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/** A host the portal itself listens on (backend.baseUrl, backend.listen). */
export type OwnEndpoint = {
  /** Host name or address; '', '0.0.0.0' or '::' mean every local address. */
  host: string;
  port: number;
};

/** Resolves a host name to every address (A and AAAA). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** Why a probe target was not contacted. */
export class TargetRefusedError extends Error {
  name = 'TargetRefusedError';
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

type AllowedTarget =
  | { kind: 'host'; host: string; port?: number }
  | { kind: 'range'; range: [Address, number] };

/**
 * An address as ipaddr.js reads it, IPv4 embedded in IPv6 (::ffff:a.b.c.d,
 * the NAT64 prefix 64:ff9b::/96) as the IPv4 address, so no spelling slips
 * past a check; undefined when it is not an IP address.
 */
export function parseAddress(text: string): Address | undefined {
  const plain = text.replace(/%.*$/, '');
  if (!ipaddr.isValid(plain) || !isIP(plain)) return undefined;
  const address = ipaddr.process(plain);
  if (address.kind() === 'ipv6' && address.range() === 'rfc6052') {
    const bytes = address.toByteArray();
    return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  }
  return address;
}

/** The kind of address: ipaddr.js's range name (`unicast` for public ones). */
export function rangeOf(address: Address): string {
  return address.range();
}

/**
 * Keeps the backend's probes on public addresses: loopback (any port),
 * unspecified, private, carrier-grade NAT, link-local and unique-local (the
 * cloud metadata services), multicast and reserved addresses, metadata host
 * names and the portal's own backend are refused unless an administrator
 * lists the target in `deployments.health.allowedTargets` (a host, a
 * host:port or an address range such as 10.20.0.0/16). Host names are
 * resolved first and every address is checked; the probe then connects to
 * exactly the checked addresses (no second lookup a DNS answer could change
 * in between). Address classes come from ipaddr.js.
 */
export class TargetGuard {
  static create(options: {
    allowedTargets: string[];
    ownEndpoints: OwnEndpoint[];
    resolve?: Resolver;
  }): TargetGuard {
    return new TargetGuard(
      options.allowedTargets.map(parseAllowedTarget),
      options.ownEndpoints,
      options.resolve ??
        (hostname => lookup(hostname, { all: true, verbatim: true })),
    );
  }

  private ownAddresses?: Promise<Array<{ address: Address; port: number }>>;

  private constructor(
    private readonly allowed: AllowedTarget[],
    private readonly ownEndpoints: OwnEndpoint[],
    private readonly resolve: Resolver,
  ) {}

  /**
   * The addresses a probe of `url` may connect to. Throws a
   * TargetRefusedError naming the reason and the key that would allow it; DNS
   * failures come through as they are (the target is then unreachable).
   */
  async check(url: URL): Promise<LookupAddress[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TargetRefusedError(
        `only http and https targets are probed, not ${url.protocol.replace(
          /:$/,
          '',
        )}`,
      );
    }
    const host = hostOf(url);
    const port = portOf(url);
    const hostAllowed = this.hostAllowed(host, port);
    const hint = `; to probe it anyway, add '${displayHost(
      host,
    )}:${port}' to deployments.health.allowedTargets`;
    if (!hostAllowed && METADATA_HOSTS.has(host)) {
      throw new TargetRefusedError(
        `${host} is a cloud metadata service${hint}`,
      );
    }
    const literal = isIP(host);
    const addresses: LookupAddress[] = literal
      ? [{ address: host, family: literal }]
      : await this.resolve(host);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} has no address`), {
        code: 'ENOTFOUND',
      });
    }
    if (hostAllowed === 'host-and-port') {
      return addresses;
    }
    const own = await this.ownAddressList();
    for (const { address } of addresses) {
      const parsed = parseAddress(address);
      if (!parsed) {
        throw new TargetRefusedError(`${address} is not an IP address`);
      }
      const shown = address === host ? address : `${host} (${address})`;
      // The portal's own backend stays refused even inside an allowed range
      // or host; only an explicit host:port entry (above) lets it through.
      if (
        own.some(
          o =>
            o.port === port &&
            (sameAddress(o.address, parsed) ||
              // Every loopback address reaches a backend listening on loopback.
              (o.address.range() === 'loopback' &&
                parsed.range() === 'loopback')),
        )
      ) {
        throw new TargetRefusedError(
          `${shown}:${port} is the portal's own backend${hint}`,
        );
      }
      if (hostAllowed || this.rangeAllowed(parsed)) continue;
      const reason = RANGE_REASONS[parsed.range()];
      if (parsed.range() !== 'unicast') {
        throw new TargetRefusedError(
          `${shown} is ${reason ?? `a ${parsed.range()} address`}${hint}`,
        );
      }
    }
    return addresses;
  }

  /** Whether an entry names the host, with this very port or any port. */
  private hostAllowed(
    host: string,
    port: number,
  ): 'host-and-port' | 'host' | undefined {
    const normalized = normalizeHost(host);
    const entries = this.allowed.filter(
      a => a.kind === 'host' && a.host === normalized,
    ) as Array<{ kind: 'host'; host: string; port?: number }>;
    if (entries.some(a => a.port === port)) return 'host-and-port';
    return entries.some(a => a.port === undefined) ? 'host' : undefined;
  }

  private rangeAllowed(address: Address): boolean {
    return this.allowed.some(
      a =>
        a.kind === 'range' &&
        a.range[0].kind() === address.kind() &&
        address.match(a.range as [any, number]),
    );
  }

  private ownAddressList() {
    this.ownAddresses ??= this.resolveOwnAddresses();
    return this.ownAddresses;
  }

  private async resolveOwnAddresses() {
    const result: Array<{ address: Address; port: number }> = [];
    for (const { host, port } of this.ownEndpoints) {
      const literal = host === '' ? undefined : parseAddress(host);
      if (host === '' || literal?.range() === 'unspecified') {
        // Listening on every address: each interface's address.
        for (const address of localInterfaceAddresses()) {
          const parsed = parseAddress(address);
          if (parsed) result.push({ address: parsed, port });
        }
        continue;
      }
      const addresses = literal
        ? [host]
        : await this.resolve(host).then(
            list => list.map(a => a.address),
            () => [] as string[],
          );
      for (const address of addresses) {
        const parsed = parseAddress(address);
        if (parsed) result.push({ address: parsed, port });
      }
    }
    return result;
  }
}

function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap(list => list ?? [])
    .map(i => i.address.replace(/%.*$/, ''));
}

function sameAddress(a: Address, b: Address): boolean {
  return (
    a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString()
  );
}

/** The URL's host without IPv6 brackets, lower case. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function displayHost(host: string) {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** IP addresses in one canonical text form, names in lower case. */
function normalizeHost(host: string): string {
  const address = parseAddress(host);
  return address ? address.toNormalizedString() : host.toLowerCase();
}

/**
 * `host`, `host:port`, `[v6]`, `[v6]:port`, a bare IPv6 address or an
 * address range (`10.20.0.0/16`, `fd00:ec2::/64`).
 */
function parseAllowedTarget(entry: string): AllowedTarget {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed.includes('/') && !trimmed.includes('://')) {
    try {
      const [address, bits] = ipaddr.parseCIDR(trimmed);
      const processed =
        address.kind() === 'ipv6' &&
        (address as ipaddr.IPv6).isIPv4MappedAddress()
          ? (address as ipaddr.IPv6).toIPv4Address()
          : address;
      return {
        kind: 'range',
        range: [
          processed,
          processed.kind() === address.kind() ? bits : bits - 96,
        ],
      };
    } catch {
      // reported below
    }
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    return {
      kind: 'host',
      host: normalizeHost(bracketed[1]),
      port: bracketed[2] ? Number(bracketed[2]) : undefined,
    };
  }
  if (isIP(trimmed) === 6) {
    return { kind: 'host', host: normalizeHost(trimmed) };
  }
  const withPort = /^([^:/]+):(\d+)$/.exec(trimmed);
  if (withPort) {
    return {
      kind: 'host',
      host: normalizeHost(withPort[1]),
      port: Number(withPort[2]),
    };
  }
  if (!trimmed || trimmed.includes(':') || trimmed.includes('/')) {
    throw new Error(
      `Invalid config at deployments.health.allowedTargets: '${entry}' is not a host, host:port or address range, e.g. 169.254.10.1:8080 or 10.20.0.0/16`,
    );
  }
  return { kind: 'host', host: normalizeHost(trimmed) };
}
