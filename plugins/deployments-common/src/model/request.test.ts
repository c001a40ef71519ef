import { developmentRequest } from '../__fixtures__/requests';
import { imageReference, parseDeploymentRequest } from './request';

function errorsOf(input: unknown) {
  const result = parseDeploymentRequest(input);
  if (result.success) {
    throw new Error('expected the request to be rejected');
  }
  return result.errors;
}

describe('parseDeploymentRequest', () => {
  it('accepts a complete request and applies the defaults', () => {
    const result = parseDeploymentRequest(developmentRequest());
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.request.health).toEqual({
      liveness: '/health',
      readiness: '/api/v2/ready',
      info: '/api/v2/health',
    });
    expect(result.request.ports).toEqual([
      { name: 'http', containerPort: 8000 },
    ]);
  });

  it('rejects unknown fields, naming them', () => {
    expect(errorsOf({ ...developmentRequest(), priviledged: true })).toEqual([
      { field: '(request)', message: 'unknown field priviledged: remove it' },
    ]);
    expect(
      errorsOf(
        developmentRequest({
          resources: {
            requests: { cpu: '100m', memory: '128Mi', gpu: '1' } as any,
            limits: { cpu: '500m', memory: '256Mi' },
          },
        }),
      ),
    ).toEqual([
      { field: 'resources.requests', message: 'unknown field gpu: remove it' },
    ]);
  });

  it('validates namespaces as DNS-1123 labels', () => {
    expect(errorsOf(developmentRequest({ namespace: 'Payments_API' }))).toEqual(
      [
        {
          field: 'namespace',
          message:
            "namespace must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        },
      ],
    );
    expect(
      errorsOf(developmentRequest({ namespace: 'a'.repeat(64) })),
    ).toHaveLength(1);
  });

  it('validates resource quantities with the Kubernetes grammar', () => {
    const errors = errorsOf(
      developmentRequest({
        resources: {
          requests: { cpu: '100 millicores', memory: '128Mi' },
          limits: { cpu: '-1', memory: '1GB' },
        },
      }),
    );
    expect(errors).toEqual([
      {
        field: 'resources.requests.cpu',
        message: 'requests.cpu must be a Kubernetes quantity such as 100m',
      },
      {
        field: 'resources.limits.cpu',
        message: 'limits.cpu must be greater than zero, e.g. 500m',
      },
      {
        field: 'resources.limits.memory',
        message: 'limits.memory must be a Kubernetes quantity such as 256Mi',
      },
    ]);
  });

  it('refuses a secret literal in a secret reference and malformed env vars', () => {
    const errors = errorsOf(
      developmentRequest({
        env: [
          { name: '1BAD', value: 'x' },
          {
            name: 'SECRET_KEY',
            secretKeyRef: { name: 'payments-api', key: 'k' },
            value: 'hunter2',
          } as any,
        ],
      }),
    );
    expect(errors.map(e => e.field)).toEqual(['env[0].name', 'env[1]']);
    expect(errors[0].message).toBe(
      "must be an environment variable name: letters, digits and '_', not starting with a digit, e.g. DATABASE_URL",
    );
  });

  it('refuses env var names and secret keys longer than Kubernetes takes (253)', () => {
    const longest = `A${'_'.repeat(252)}`;
    expect(
      parseDeploymentRequest(
        developmentRequest({
          env: [
            { name: longest, value: 'x' },
            {
              name: 'TOKEN',
              secretKeyRef: { name: 'payments-api', key: 'k'.repeat(253) },
            },
          ],
        }),
      ).success,
    ).toBe(true);
    expect(
      errorsOf(
        developmentRequest({
          env: [
            { name: `${longest}_`, value: 'x' },
            {
              name: 'TOKEN',
              secretKeyRef: { name: 'payments-api', key: 'k'.repeat(254) },
            },
          ],
        }),
      ),
    ).toEqual([
      {
        field: 'env[0].name',
        message:
          'env var name must be at most 253 characters (a ConfigMap key)',
      },
      {
        field: 'env[1].secretKeyRef.key',
        message:
          'secretKeyRef.key must be at most 253 characters (a Secret key)',
      },
    ]);
  });

  it('names at most 5 unknown fields, cut to size, and counts the rest', () => {
    const extra = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [
        `x${i}\u0000${'y'.repeat(1000)}`,
        1,
      ]),
    );
    const errors = errorsOf({ ...developmentRequest(), ...extra });
    expect(errors).toEqual([
      {
        field: '(request)',
        message: `unknown fields ${[0, 1, 2, 3, 4]
          .map(i => `x${i} ${'y'.repeat(23 - 2 - String(i).length)}…`)
          .join(', ')} and 995 more: remove them`,
      },
    ]);
    expect(errors[0].message.length).toBeLessThan(200);
  });

  it('refuses an env var defined twice', () => {
    expect(
      errorsOf(
        developmentRequest({
          env: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        }),
      ),
    ).toEqual([
      { field: 'env[1].name', message: 'env var A is defined twice; keep one' },
    ]);
  });

  it('requires a tag or a digest, and checks their shape', () => {
    expect(
      errorsOf(
        developmentRequest({
          image: { repository: 'ghcr.io/acme/payments-api' },
        }),
      ),
    ).toEqual([
      {
        field: 'image.tag',
        message:
          'image needs a tag or a digest, e.g. tag 1.4.2 or digest sha256:…',
      },
    ]);
    expect(
      errorsOf(
        developmentRequest({
          image: {
            repository: 'ghcr.io/acme/payments-api',
            digest: 'sha256:xyz',
          },
        }),
      ),
    ).toEqual([
      {
        field: 'image.digest',
        message:
          'must be an image digest: sha256: followed by 64 lowercase hex digits',
      },
    ]);
  });

  it('checks entity references, environment, URL and autoscaling range', () => {
    const errors = errorsOf(
      developmentRequest({
        application: 'group:default/team-payments',
        environment: 'Staging',
        changeReference: 'OPS-123',
        autoscaling: { minReplicas: 5, maxReplicas: 2 },
        requester: 'group:default/team-payments',
      }),
    );
    expect(errors.map(e => e.field)).toEqual([
      'application',
      'environment',
      'autoscaling.maxReplicas',
      'changeReference',
      'requester',
    ]);
    expect(errors[1].message).toBe(
      "must be the name of a configured environment, e.g. production (lowercase letters, digits and '-')",
    );
  });
});

describe('build time', () => {
  it('takes an ISO 8601 time with a zone, not one in the future', () => {
    const parsed = parseDeploymentRequest(
      developmentRequest({ builtAt: '2026-11-30T09:30:00+01:00' }),
    );
    expect(parsed.success && parsed.request.builtAt).toBe(
      '2026-11-30T09:30:00+01:00',
    );
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    for (const [builtAt, message] of [
      [
        '2026-11-30 09:30',
        'builtAt must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:30:00Z',
      ],
      [
        '2026-11-30T09:30:00',
        'builtAt must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:30:00Z',
      ],
      [
        inAnHour,
        'builtAt must not be in the future; give the time the build was made',
      ],
    ]) {
      expect(errorsOf(developmentRequest({ builtAt }))).toEqual([
        { field: 'builtAt', message },
      ]);
    }
  });
});

describe('egress destinations', () => {
  it('takes CIDRs and namespaces with their ports', () => {
    const result = parseDeploymentRequest(
      developmentRequest({
        egress: [
          { cidr: '10.20.0.0/16', ports: [5432] },
          { cidr: '2001:db8::/48', ports: [443] },
          { namespace: 'payments-db', ports: [5432, 6432] },
        ],
      }),
    );
    expect(result.success).toBe(true);
  });

  it('refuses link-local ranges, malformed CIDRs and ambiguous destinations, naming the field', () => {
    expect(
      errorsOf(
        developmentRequest({
          egress: [
            { cidr: '169.254.169.254/32', ports: [80] },
            { cidr: '10.0.0.0/33', ports: [80] },
            { cidr: '10.0.0.0/8', namespace: 'db', ports: [80] },
            { namespace: 'db', ports: [] },
            { namespace: 'db', ports: [70000] },
          ] as any,
        }),
      ),
    ).toEqual([
      {
        field: 'egress[0].cidr',
        message:
          'egress cidr must not be link-local (169.254.0.0/16, fe80::/10): that is where the cloud metadata endpoint lives',
      },
      {
        field: 'egress[1].cidr',
        message:
          'egress cidr must be an IP range such as 10.20.0.0/16 or 2001:db8::/48',
      },
      {
        field: 'egress[2]',
        message:
          'egress destination needs exactly one of cidr (e.g. 10.20.0.0/16) or namespace (e.g. payments-db)',
      },
      {
        field: 'egress[3].ports',
        message: 'egress needs at least one port, e.g. [5432]',
      },
      {
        field: 'egress[4].ports[0]',
        message: 'egress ports must be port numbers 1-65535',
      },
    ]);
  });
});

describe('imageReference', () => {
  it('pulls by digest when there is one', () => {
    expect(
      imageReference({
        repository: 'r/a',
        tag: '1',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    ).toBe(`r/a@sha256:${'0'.repeat(64)}`);
    expect(imageReference({ repository: 'r/a', tag: '1' })).toBe('r/a:1');
  });

  it('fits the 512-character image columns whatever the request holds: repositories up to 255 characters (Docker)', () => {
    const repository = `ghcr.io/acme/${'b'.repeat(255 - 13)}`;
    const tag = `1${'x'.repeat(127)}`;
    const digest = `sha256:${'0'.repeat(64)}`;
    const accepted = parseDeploymentRequest(
      developmentRequest({ image: { repository, tag, digest } }),
    );
    expect(accepted.success).toBe(true);
    // The longest reference anything builds: repository:tag@digest.
    expect(`${repository}:${tag}@${digest}`.length).toBeLessThanOrEqual(512);
    expect(imageReference({ repository, tag }).length).toBeLessThanOrEqual(512);
    expect(
      errorsOf(
        developmentRequest({ image: { repository: `${repository}b`, tag } }),
      ),
    ).toEqual([
      {
        field: 'image.repository',
        message: 'image repository must be at most 255 characters',
      },
    ]);
  });
});

describe('names Kubernetes must accept', () => {
  it('fits the name with the environment into the instance label (63)', () => {
    const fits = 'a'.repeat(51);
    expect(
      parseDeploymentRequest(developmentRequest({ name: fits })).success,
    ).toBe(true);
    expect(errorsOf(developmentRequest({ name: `${fits}b` }))).toEqual([
      {
        field: 'name',
        message:
          'name is 52 characters; in development at most 51 fit: the label app.kubernetes.io/instance is <name>-development (at most 63)',
      },
    ]);
    // A shorter environment leaves room for a longer name.
    expect(
      parseDeploymentRequest(
        developmentRequest({
          environment: 'test',
          namespace: 'payments-api-test',
          name: 'a'.repeat(58),
        }),
      ).success,
    ).toBe(true);
  });

  it('asks for a name when the application cannot name Kubernetes objects', () => {
    expect(
      errorsOf(
        developmentRequest({ application: 'component:default/Pay_API' }),
      ),
    ).toEqual([
      {
        field: 'application',
        message:
          "the application's name Pay_API cannot name Kubernetes objects (a lowercase letter, then lowercase letters, digits or '-', at most 63); set name to one that can, e.g. payments-api",
      },
    ]);
    expect(
      parseDeploymentRequest(
        developmentRequest({
          application: 'component:default/Pay_API',
          name: 'pay-api',
        }),
      ).success,
    ).toBe(true);
    expect(errorsOf(developmentRequest({ name: '1st-api' }))).toEqual([
      {
        field: 'name',
        message:
          "name must start with a lowercase letter: it also names the Service (then lowercase letters, digits or '-')",
      },
    ]);
  });

  it.each(['http', 'grpc-web', 'h2c', 'metrics9'])(
    'takes the port name %s',
    name => {
      expect(
        parseDeploymentRequest(
          developmentRequest({ ports: [{ name, containerPort: 9000 }] }),
        ).success,
      ).toBe(true);
    },
  );

  it.each(['8080', 'web--ui', '-web', 'web-', 'a-very-long-port-name', 'Web'])(
    'refuses the port name %s with what a port name is',
    name => {
      expect(
        errorsOf(
          developmentRequest({ ports: [{ name, containerPort: 9000 }] }),
        ),
      ).toEqual([
        {
          field: 'ports[0].name',
          message: expect.stringMatching(
            /^port name must be an IANA service name/,
          ),
        },
      ]);
    },
  );
});

describe('change references', () => {
  it.each([
    // eslint-disable-next-line no-script-url
    ['javascript:alert(1)', 'an http(s) URL'],
    ['ftp://tickets.acme.example/1', 'an http(s) URL'],
    [
      'https://jira.acme.example/browse/OPS-1\nInjected: yes',
      'control characters',
    ],
    [`https://jira.acme.example/${'a'.repeat(600)}`, 'at most 512 characters'],
  ])('refuses %j', (changeReference, why) => {
    expect(errorsOf(developmentRequest({ changeReference }))).toEqual([
      { field: 'changeReference', message: expect.stringContaining(why) },
    ]);
  });

  it('takes an https ticket URL', () => {
    expect(
      parseDeploymentRequest(
        developmentRequest({
          changeReference: 'https://jira.acme.example/browse/OPS-123',
        }),
      ).success,
    ).toBe(true);
  });
});
