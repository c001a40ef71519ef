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

/** Cloud metadata services: AWS, GCP, Azure (IPv4) and AWS over IPv6. */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'].map(
  a => bytesOf(a)!,
);

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

type AllowedTarget = { host: string; port?: number };

/**
 * Keeps the backend's probes away from what an annotation must not reach:
 * link-local addresses, cloud metadata services and the portal's own backend,
 * unless an administrator listed the host in
 * `deployments.health.allowedTargets`. Host names are resolved first and
 * every address is checked; the probe then connects to exactly the checked
 * addresses (no second lookup a DNS answer could change in between).
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

  private ownAddresses?: Promise<Array<{ bytes: Uint8Array; port: number }>>;

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
    const allowed = this.isAllowed(host, port);
    const hint = `; to probe it anyway, add '${displayHost(
      host,
    )}:${port}' to deployments.health.allowedTargets`;
    if (!allowed && METADATA_HOSTS.has(host)) {
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
    if (allowed) {
      return addresses;
    }
    const own = await this.ownAddressList();
    for (const { address } of addresses) {
      const bytes = bytesOf(address);
      if (!bytes) {
        throw new TargetRefusedError(`${address} is not an IP address`);
      }
      const shown = address === host ? address : `${host} (${address})`;
      if (METADATA_ADDRESSES.some(m => equalBytes(bytes, m))) {
        throw new TargetRefusedError(
          `${shown} is a cloud metadata address${hint}`,
        );
      }
      if (isLinkLocal(bytes)) {
        throw new TargetRefusedError(`${shown} is a link-local address${hint}`);
      }
      if (own.some(o => o.port === port && sameHost(o.bytes, bytes))) {
        throw new TargetRefusedError(
          `${shown}:${port} is the portal's own backend${hint}`,
        );
      }
    }
    return addresses;
  }

  private isAllowed(host: string, port: number): boolean {
    const normalized = normalizeHost(host);
    return this.allowed.some(
      a => a.host === normalized && (a.port === undefined || a.port === port),
    );
  }

  private ownAddressList() {
    this.ownAddresses ??= this.resolveOwnAddresses();
    return this.ownAddresses;
  }

  private async resolveOwnAddresses() {
    const result: Array<{ bytes: Uint8Array; port: number }> = [];
    for (const { host, port } of this.ownEndpoints) {
      const hostBytes = host === '' ? undefined : bytesOf(host);
      if (host === '' || (hostBytes && isUnspecified(hostBytes))) {
        // Listening on every address: loopback, unspecified and each interface.
        for (const address of [
          '127.0.0.1',
          '::1',
          '0.0.0.0',
          '::',
          ...localInterfaceAddresses(),
        ]) {
          result.push({ bytes: bytesOf(address)!, port });
        }
        continue;
      }
      const addresses = hostBytes
        ? [host]
        : await this.resolve(host).then(
            list => list.map(a => a.address),
            () => [] as string[],
          );
      for (const address of addresses) {
        const bytes = bytesOf(address);
        if (bytes) result.push({ bytes, port });
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
  const bytes = bytesOf(host);
  return bytes ? Array.from(bytes).join('.') : host.toLowerCase();
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function parseAllowedTarget(entry: string): AllowedTarget {
  const trimmed = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    return {
      host: normalizeHost(bracketed[1]),
      port: bracketed[2] ? Number(bracketed[2]) : undefined,
    };
  }
  if (isIP(trimmed) === 6) {
    return { host: normalizeHost(trimmed) };
  }
  const withPort = /^([^:]+):(\d+)$/.exec(trimmed);
  if (withPort) {
    return { host: normalizeHost(withPort[1]), port: Number(withPort[2]) };
  }
  if (!trimmed || trimmed.includes(':') || trimmed.includes('/')) {
    throw new Error(
      `Invalid config at deployments.health.allowedTargets: '${entry}' is not a host or host:port, e.g. 169.254.10.1:8080`,
    );
  }
  return { host: normalizeHost(trimmed) };
}

/**
 * An address as 16 bytes (IPv4 as IPv4-mapped IPv6), or undefined when it is
 * not an IP address. IPv4 embedded in IPv6 (::ffff:a.b.c.d, 64:ff9b::/96)
 * becomes the IPv4 address, so no spelling slips past a check.
 */
export function bytesOf(address: string): Uint8Array | undefined {
  const plain = address.replace(/%.*$/, '');
  const version = isIP(plain);
  if (version === 4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    plain.split('.').forEach((part, i) => {
      bytes[12 + i] = Number(part);
    });
    return bytes;
  }
  if (version !== 6) return undefined;
  let text = plain;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((v4[0] << 8) | v4[1]).toString(
      16,
    )}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headParts
      : [
          ...headParts,
          ...Array(8 - headParts.length - tailParts.length).fill('0'),
          ...tailParts,
        ];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  const nat64 =
    bytes[0] === 0x00 &&
    bytes[1] === 0x64 &&
    bytes[2] === 0xff &&
    bytes[3] === 0x9b &&
    bytes.slice(4, 12).every(b => b === 0);
  if (nat64) {
    bytes.fill(0, 0, 10);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
  }
  return bytes;
}

function equalBytes(a: Uint8Array, b: Uint8Array) {
  return a.every((value, i) => value === b[i]);
}

function isMappedV4(bytes: Uint8Array) {
  return (
    bytes.slice(0, 10).every(b => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  );
}

function isV4(bytes: Uint8Array, ...prefix: number[]) {
  return isMappedV4(bytes) && prefix.every((p, i) => bytes[12 + i] === p);
}

function isLinkLocal(bytes: Uint8Array) {
  // 169.254.0.0/16 and fe80::/10
  return (
    isV4(bytes, 169, 254) || (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80)
  );
}

function isLoopback(bytes: Uint8Array) {
  return (
    isV4(bytes, 127) ||
    (bytes.slice(0, 15).every(b => b === 0) && bytes[15] === 1)
  );
}

function isUnspecified(bytes: Uint8Array) {
  return (
    bytes.every(b => b === 0) ||
    (isMappedV4(bytes) && bytes.slice(12).every(b => b === 0))
  );
}

/**
 * Whether a connection to `target` reaches a server bound to `own`:
 * the same address, or loopback/unspecified on either side (0.0.0.0 and
 * 127.x.y.z all reach a server listening on the loopback interface).
 */
function sameHost(own: Uint8Array, target: Uint8Array) {
  if (equalBytes(own, target)) return true;
  const local = (b: Uint8Array) => isLoopback(b) || isUnspecified(b);
  return local(own) && local(target);
}
