import { networkInterfaces } from 'node:os';
import { bytesOf, TargetGuard, TargetRefusedError } from './TargetGuard';

const names: Record<string, Array<{ address: string; family: number }>> = {
  'service.acme.internal': [{ address: '10.1.2.3', family: 4 }],
  'rebound.acme.internal': [
    { address: '10.1.2.4', family: 4 },
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
  it('lets ordinary targets through and returns the addresses to connect to', async () => {
    await expect(
      guard().check(new URL('https://service.acme.internal/health')),
    ).resolves.toEqual([{ address: '10.1.2.3', family: 4 }]);
    await expect(
      guard().check(new URL('http://127.0.0.1:18081/development')),
    ).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', 'is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'is a cloud metadata address'],
    ['http://[::ffff:169.254.169.254]/', 'is a cloud metadata address'],
    ['http://[::ffff:a9fe:a9fe]/', 'is a cloud metadata address'],
    [
      'http://metadata.google.internal/computeMetadata',
      'is a cloud metadata service',
    ],
    ['http://METADATA.google.internal./', 'is a cloud metadata service'],
    ['http://169.254.10.20:8080/', 'is a link-local address'],
    ['http://[fe80::1]:8080/', 'is a link-local address'],
    ['http://[febf::1]/', 'is a link-local address'],
    [
      'http://mapped.acme.internal/',
      'mapped.acme.internal (::ffff:169.254.1.1) is a link-local address',
    ],
    [
      'http://rebound.acme.internal/',
      'rebound.acme.internal (169.254.169.254) is a cloud metadata address',
    ],
  ])('refuses %s', async (url, reason) => {
    expect(await refusal(url)).toContain(reason);
  });

  it('refuses the portal own backend on every local address, by port', async () => {
    const own = "is the portal's own backend";
    expect(await refusal('http://127.0.0.1:7007/api')).toContain(own);
    expect(await refusal('http://localhost:7007/')).toContain(
      `localhost (127.0.0.1):7007 ${own}`,
    );
    expect(await refusal('http://[::1]:7007/')).toContain(own);
    expect(await refusal('http://0.0.0.0:7007/')).toContain(own);
    expect(await refusal('http://127.0.0.2:7007/')).toContain(own);
    const interfaceAddresses = Object.values(networkInterfaces())
      .flat()
      .filter(i => i && !i.internal && i.family === 'IPv4')
      .map(i => i!.address);
    for (const address of interfaceAddresses) {
      expect(await refusal(`http://${address}:7007/`)).toContain(own);
    }
    expect(await refusal('https://portal.acme.internal/')).toContain(
      `portal.acme.internal (10.9.9.9):443 ${own}`,
    );
    // Other ports on the same host are other services.
    expect(await refusal('http://127.0.0.1:18081/')).toBeUndefined();
    expect(await refusal('http://portal.acme.internal:8443/')).toBeUndefined();
  });

  it('only guards the listen address it is given', async () => {
    const g = guard({ ownEndpoints: [{ host: '127.0.0.1', port: 7007 }] });
    expect(await refusal('http://127.0.0.1:7007/', g)).toContain('own backend');
    expect(await refusal('http://10.1.2.3:7007/', g)).toBeUndefined();
  });

  it('names the key that would allow a refused target', async () => {
    expect(await refusal('http://169.254.10.20:8080/')).toBe(
      "169.254.10.20 is a link-local address; to probe it anyway, add '169.254.10.20:8080' to deployments.health.allowedTargets",
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
    expect(await refusal('http://localhost:7007/', g)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:7007/', g)).toContain('own backend');
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
      "Invalid config at deployments.health.allowedTargets: 'http://x/' is not a host or host:port",
    );
  });
});

describe('bytesOf', () => {
  it('reads every spelling of an address to the same bytes', () => {
    const v4 = Array.from(bytesOf('169.254.169.254')!);
    expect(Array.from(bytesOf('::ffff:169.254.169.254')!)).toEqual(v4);
    expect(Array.from(bytesOf('::ffff:a9fe:a9fe')!)).toEqual(v4);
    expect(Array.from(bytesOf('64:ff9b::a9fe:a9fe')!)).toEqual(v4);
    expect(Array.from(bytesOf('fd00:ec2:0:0:0:0:0:254')!)).toEqual(
      Array.from(bytesOf('fd00:ec2::254')!),
    );
    expect(bytesOf('not-an-ip')).toBeUndefined();
  });
});
