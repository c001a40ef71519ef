import { networkInterfaces } from 'node:os';
import { parseAddress, TargetGuard, TargetRefusedError } from './TargetGuard';

const names: Record<string, Array<{ address: string; family: number }>> = {
  'service.acme.example': [{ address: '93.184.216.34', family: 4 }],
  'service.acme.internal': [{ address: '10.1.2.3', family: 4 }],
  'rebound.acme.internal': [
    { address: '93.184.216.35', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
  'mapped.acme.internal': [{ address: '::ffff:169.254.1.1', family: 6 }],
  'portal.acme.internal': [{ address: '10.9.9.9', family: 4 }],
  'metadata.google.internal': [{ address: '169.254.169.254', family: 4 }],
  localhost: [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
};

function guard(
  options: {
    allowedTargets?: string[];
    ownEndpoints?: Array<{ host: string; port: number }>;
  } = {},
) {
  return TargetGuard.create({
    allowedTargets: options.allowedTargets ?? [],
    ownEndpoints: options.ownEndpoints ?? [
      { host: '', port: 7007 },
      { host: 'portal.acme.internal', port: 443 },
    ],
    resolve: async host => {
      const found = names[host];
      if (!found) {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
          code: 'ENOTFOUND',
        });
      }
      return found;
    },
  });
}

async function refusal(url: string, g = guard()) {
  try {
    await g.check(new URL(url));
  } catch (error) {
    if (error instanceof TargetRefusedError) return error.message;
    throw error;
  }
  return undefined;
}

describe('TargetGuard', () => {
  it('lets public targets through and returns the addresses to connect to', async () => {
    await expect(
      guard().check(new URL('https://service.acme.example/health')),
    ).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(
      guard().check(new URL('http://[2606:2800:220:1::1]:8080/')),
    ).resolves.toEqual([{ address: '2606:2800:220:1::1', family: 6 }]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', 'is a link-local address'],
    ['http://[fd00:ec2::254]/', 'is a unique-local address'],
    ['http://[::ffff:169.254.169.254]/', 'is a link-local address'],
    ['http://[::ffff:a9fe:a9fe]/', 'is a link-local address'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'is a link-local address'],
    [
      'http://metadata.google.internal/computeMetadata',
      'is a cloud metadata service',
    ],
    ['http://METADATA.google.internal./', 'is a cloud metadata service'],
    ['http://169.254.10.20:8080/', 'is a link-local address'],
    ['http://[fe80::1]:8080/', 'is a link-local address'],
    ['http://[febf::1]/', 'is a link-local address'],
    ['http://127.0.0.1:18081/', 'is a loopback address'],
    ['http://127.1.2.3:9999/', 'is a loopback address'],
    ['http://[::1]:18081/', 'is a loopback address'],
    ['http://localhost:5432/', 'localhost (127.0.0.1) is a loopback address'],
    ['http://0.0.0.0:8080/', 'is the unspecified address'],
    ['http://[::]:8080/', 'is the unspecified address'],
    ['http://10.1.2.3/', 'is a private address'],
    ['http://172.16.0.1/', 'is a private address'],
    ['http://192.168.1.1/', 'is a private address'],
    ['http://service.acme.internal/', '(10.1.2.3) is a private address'],
    ['http://100.64.0.1/', 'is a carrier-grade NAT address'],
    ['http://224.0.0.1/', 'is a multicast address'],
    ['http://240.0.0.1/', 'is a reserved address'],
    ['http://255.255.255.255/', 'is the broadcast address'],
    [
      'http://mapped.acme.internal/',
      'mapped.acme.internal (::ffff:169.254.1.1) is a link-local address',
    ],
    [
      'http://rebound.acme.internal/',
      'rebound.acme.internal (169.254.169.254) is a link-local address',
    ],
  ])('refuses %s', async (url, reason) => {
    expect(await refusal(url)).toContain(reason);
  });

  it('refuses the portal own backend on every address it listens on, even when its range is allowed', async () => {
    const own = "is the portal's own backend";
    const everywhere = guard({
      allowedTargets: ['127.0.0.0/8', '::1/128', '0.0.0.0/32', '10.0.0.0/8'],
    });
    expect(await refusal('http://127.0.0.1:7007/api', everywhere)).toContain(
      own,
    );
    expect(await refusal('http://localhost:7007/', everywhere)).toContain(
      `localhost (127.0.0.1):7007 ${own}`,
    );
    expect(await refusal('http://[::1]:7007/', everywhere)).toContain(own);
    expect(await refusal('http://127.0.0.2:7007/', everywhere)).toContain(own);
    const interfaceAddresses = Object.values(networkInterfaces())
      .flat()
      .filter(i => i && !i.internal && i.family === 'IPv4')
      .map(i => i!.address);
    for (const address of interfaceAddresses) {
      const g = guard({ allowedTargets: [`${address}/32`] });
      expect(await refusal(`http://${address}:7007/`, g)).toContain(own);
    }
    expect(
      await refusal('https://portal.acme.internal/', everywhere),
    ).toContain(`portal.acme.internal (10.9.9.9):443 ${own}`);
    // Other ports on the same host are other services.
    expect(
      await refusal('http://127.0.0.1:18081/', everywhere),
    ).toBeUndefined();
    expect(
      await refusal('http://portal.acme.internal:8443/', everywhere),
    ).toBeUndefined();
  });

  it('only guards the listen address it is given', async () => {
    const g = guard({
      ownEndpoints: [{ host: '127.0.0.1', port: 7007 }],
      allowedTargets: ['127.0.0.0/8', '10.0.0.0/8'],
    });
    expect(await refusal('http://127.0.0.1:7007/', g)).toContain('own backend');
    expect(await refusal('http://10.1.2.3:7007/', g)).toBeUndefined();
  });

  it('names the key that would allow a refused target', async () => {
    expect(await refusal('http://169.254.10.20:8080/')).toBe(
      "169.254.10.20 is a link-local address (cloud metadata services live there); to probe it anyway, add '169.254.10.20:8080' to deployments.health.allowedTargets",
    );
    expect(await refusal('http://[fe80::1]:8080/')).toContain(
      "add '[fe80::1]:8080'",
    );
  });

  it('lets allowedTargets through, by host or by host and port', async () => {
    const g = guard({
      allowedTargets: [
        '169.254.10.20:8080',
        'metadata.google.internal',
        '[FE80::1]',
        'localhost:7007',
      ],
    });
    expect(await refusal('http://169.254.10.20:8080/', g)).toBeUndefined();
    expect(await refusal('http://169.254.10.20:9090/', g)).toContain(
      'link-local',
    );
    expect(
      await refusal('http://metadata.google.internal/', g),
    ).toBeUndefined();
    expect(await refusal('http://[fe80::0:1]:1234/', g)).toBeUndefined();
    // A host entry is that host only: localhost:7007 is allowed by name,
    // 127.0.0.1:7007 is still the portal's own backend.
    expect(await refusal('http://localhost:7007/', g)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:7007/', g)).toContain('own backend');
  });

  it('lets allowed address ranges through, and only those', async () => {
    const g = guard({
      allowedTargets: ['10.20.0.0/16', '127.0.0.1:18081', 'fd00:ec2::/64'],
    });
    expect(await refusal('http://10.20.3.4:8080/', g)).toBeUndefined();
    expect(await refusal('http://10.21.0.1/', g)).toContain('private');
    expect(await refusal('http://127.0.0.1:18081/', g)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:18082/', g)).toContain('loopback');
    expect(await refusal('http://[fd00:ec2::254]/', g)).toBeUndefined();
    expect(await refusal('http://[fd00:ec3::1]/', g)).toContain('unique-local');
  });

  it('refuses anything but http and https', async () => {
    expect(await refusal('ftp://service.acme.internal/')).toBe(
      'only http and https targets are probed, not ftp',
    );
  });

  it('passes DNS failures on as they are', async () => {
    await expect(
      guard().check(new URL('http://nowhere.acme.internal/')),
    ).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('rejects an allowedTargets entry that is not a host', () => {
    expect(() => guard({ allowedTargets: ['http://x/'] })).toThrow(
      "Invalid config at deployments.health.allowedTargets: 'http://x/' is not a host, host:port or address range",
    );
    expect(() => guard({ allowedTargets: ['10.0.0.0/99'] })).toThrow(
      "'10.0.0.0/99' is not a host, host:port or address range",
    );
  });
});

describe('parseAddress', () => {
  it('reads every spelling of an address to the same address', () => {
    const v4 = parseAddress('169.254.169.254')!.toNormalizedString();
    for (const spelling of [
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
    ]) {
      expect(parseAddress(spelling)!.toNormalizedString()).toBe(v4);
    }
    expect(parseAddress('fd00:ec2:0:0:0:0:0:254')!.toNormalizedString()).toBe(
      parseAddress('fd00:ec2::254')!.toNormalizedString(),
    );
    expect(parseAddress('not-an-ip')).toBeUndefined();
    expect(parseAddress('0x7f.1')).toBeUndefined();
  });
});
