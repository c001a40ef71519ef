import {
  CLUSTER,
  DIGEST,
  developmentRequest,
  OWNER,
  productionRequest,
} from '../__fixtures__/requests';
import {
  DeploymentRequestInput,
  parseDeploymentRequest,
} from '../model/request';
import { RenderedManifest, renderManifests } from '../render/renderManifests';
import { BUILT_IN_POLICIES } from './builtin';
import { evaluatePolicies, hasBlockingViolations } from './engine';
import { ClusterFacts, PolicySettings } from './types';

function check(
  policyId: string,
  input: DeploymentRequestInput,
  options: {
    cluster?: ClusterFacts;
    settings?: PolicySettings;
    tamper?: (manifests: RenderedManifest[]) => RenderedManifest[];
  } = {},
) {
  const parsed = parseDeploymentRequest(input);
  if (!parsed.success) {
    throw new Error(JSON.stringify(parsed.errors));
  }
  const rendered = renderManifests(parsed.request, { owner: OWNER });
  const manifests = options.tamper ? options.tamper(rendered) : rendered;
  const policy = BUILT_IN_POLICIES.find(p => p.id === policyId)!;
  return evaluatePolicies(
    {
      request: parsed.request,
      manifests,
      context: { owner: OWNER, cluster: options.cluster ?? CLUSTER },
    },
    [policy],
    options.settings ? { [policyId]: options.settings } : {},
  ).map(({ path, message, severity }) => ({ path, message, severity }));
}

function podSpec(manifests: RenderedManifest[]): any {
  return (manifests.find(m => m.kind === 'Deployment') as any).spec.template
    .spec;
}

describe('built-in policies', () => {
  it('accept the example development and production requests', () => {
    for (const policy of BUILT_IN_POLICIES) {
      expect({
        id: policy.id,
        v: check(policy.id, developmentRequest()),
      }).toEqual({ id: policy.id, v: [] });
      expect({
        id: policy.id,
        v: check(policy.id, productionRequest()),
      }).toEqual({ id: policy.id, v: [] });
    }
  });

  describe('namespace-ownership', () => {
    it('refuses system namespaces', () => {
      expect(
        check(
          'namespace-ownership',
          developmentRequest({ namespace: 'kube-system' }),
        ),
      ).toEqual([
        {
          path: 'namespace',
          message: "namespace 'kube-system' is a system namespace",
          severity: 'error',
        },
      ]);
    });
    it('refuses a namespace that does not exist', () => {
      expect(
        check(
          'namespace-ownership',
          developmentRequest({ namespace: 'payments-api-test' }),
        ),
      ).toEqual([
        {
          path: 'namespace',
          message:
            "namespace 'payments-api-test' does not exist in the development cluster",
          severity: 'error',
        },
      ]);
    });
    it("refuses another team's namespace and an unlabelled one", () => {
      expect(
        check(
          'namespace-ownership',
          developmentRequest({ namespace: 'orders-api-development' }),
        ),
      ).toEqual([
        {
          path: 'namespace',
          message:
            "namespace 'orders-api-development' belongs to team-orders, not to team-payments",
          severity: 'error',
        },
      ]);
      expect(
        check(
          'namespace-ownership',
          developmentRequest({ namespace: 'unlabelled' }),
        )[0].message,
      ).toBe("namespace 'unlabelled' has no owner label (backstage.io/owner)");
    });
  });

  describe('resource-limits', () => {
    it('refuses limits above the environment maximum and requests above limits', () => {
      expect(
        check(
          'resource-limits',
          developmentRequest({
            resources: {
              requests: { cpu: '750m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '2Gi' },
            },
          }),
        ),
      ).toEqual([
        {
          path: 'resources.requests.cpu',
          message: 'cpu request 750m exceeds its limit 500m',
          severity: 'error',
        },
        {
          path: 'resources.limits.memory',
          message: 'memory limit 2Gi exceeds the development maximum of 1Gi',
          severity: 'error',
        },
      ]);
    });
    it('takes maxima from config', () => {
      const request = developmentRequest({
        resources: {
          requests: { cpu: '1', memory: '1Gi' },
          limits: { cpu: '2', memory: '1Gi' },
        },
      });
      expect(check('resource-limits', request)).toHaveLength(1);
      expect(
        check('resource-limits', request, { settings: { maxCpu: '4' } }),
      ).toEqual([]);
    });
  });

  describe('replica-bounds', () => {
    it('needs two replicas in production', () => {
      expect(
        check('replica-bounds', productionRequest({ replicas: 1 })),
      ).toEqual([
        {
          path: 'replicas',
          message: 'replicas is 1; production needs at least 2',
          severity: 'error',
        },
      ]);
    });
    it('bounds the autoscaling range', () => {
      expect(
        check(
          'replica-bounds',
          developmentRequest({
            autoscaling: { minReplicas: 1, maxReplicas: 12 },
          }),
        ),
      ).toEqual([
        {
          path: 'autoscaling.maxReplicas',
          message:
            'autoscaling.maxReplicas is 12; development allows at most 10',
          severity: 'error',
        },
      ]);
    });
  });

  describe('pod-security', () => {
    it('refuses privileged, root, writable and host-level pods', () => {
      const violations = check('pod-security', developmentRequest(), {
        tamper: manifests => {
          const copy = structuredClone(manifests);
          const pod = podSpec(copy);
          pod.hostNetwork = true;
          pod.securityContext = {};
          pod.volumes.push({
            name: 'docker',
            hostPath: { path: '/var/run/docker.sock' },
          });
          pod.containers[0].securityContext = {
            privileged: true,
            capabilities: { add: ['NET_ADMIN'] },
          };
          return copy;
        },
      });
      expect(violations.map(v => v.message)).toEqual([
        'hostNetwork is enabled',
        "volume 'docker' mounts a host path",
        "container 'payments-api' may run as root",
        "container 'payments-api' has a writable root filesystem",
        "container 'payments-api' is privileged",
        "container 'payments-api' allows privilege escalation",
        "container 'payments-api' adds capabilities NET_ADMIN",
      ]);
    });
  });

  describe('network-policy', () => {
    it('refuses a deployment without a NetworkPolicy', () => {
      expect(
        check('network-policy', developmentRequest(), {
          tamper: manifests =>
            manifests.filter(m => m.kind !== 'NetworkPolicy'),
        }),
      ).toEqual([
        {
          path: 'NetworkPolicy',
          message:
            "no NetworkPolicy selects the pods of Deployment 'payments-api'",
          severity: 'error',
        },
      ]);
    });

    it('refuses a NetworkPolicy that leaves egress open or opens the metadata endpoint', () => {
      const netpol = (manifests: RenderedManifest[]) =>
        manifests.find(m => m.kind === 'NetworkPolicy') as any;
      expect(
        check('network-policy', developmentRequest(), {
          tamper: manifests => {
            netpol(manifests).spec.policyTypes = ['Ingress'];
            return manifests;
          },
        }),
      ).toEqual([
        {
          path: 'NetworkPolicy',
          message:
            "no NetworkPolicy limits the egress of Deployment 'payments-api'",
          severity: 'error',
        },
      ]);
      expect(
        check('network-policy', developmentRequest(), {
          tamper: manifests => {
            netpol(manifests).spec.egress.push({
              to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
            });
            return manifests;
          },
        }),
      ).toEqual([
        {
          path: 'egress',
          message:
            'egress to 0.0.0.0/0 opens the cloud metadata endpoint (169.254.169.254/32)',
          severity: 'error',
        },
      ]);
      // What the renderer makes of the same destination passes.
      expect(
        check(
          'network-policy',
          developmentRequest({ egress: [{ cidr: '0.0.0.0/0', ports: [443] }] }),
        ),
      ).toEqual([]);
    });
  });

  describe('secret-ownership and secret-exists', () => {
    const request = () =>
      developmentRequest({
        env: [
          { name: 'SECRET_KEY', secretKeyRef: { name: 'mine', key: 'k' } },
          { name: 'DATABASE_URL', secretKeyRef: { name: 'theirs', key: 'k' } },
          { name: 'CACHE_URL', secretKeyRef: { name: 'bare', key: 'k' } },
          { name: 'SMTP_URL', secretKeyRef: { name: 'missing', key: 'k' } },
        ],
      });
    const cluster = {
      ...CLUSTER,
      secrets: {
        mine: { application: 'payments-api' },
        theirs: { application: 'orders-api' },
        bare: {},
        missing: null,
      },
    };

    it('refuses a Secret labelled for another application or not labelled', () => {
      expect(check('secret-ownership', request(), { cluster })).toEqual([
        {
          path: 'env[1].secretKeyRef.name',
          message:
            "Secret 'theirs' in namespace 'payments-api-development' belongs to application 'orders-api', not 'payments-api'",
          severity: 'error',
        },
        {
          path: 'env[2].secretKeyRef.name',
          message:
            "Secret 'bare' in namespace 'payments-api-development' is not labelled for 'payments-api'",
          severity: 'error',
        },
      ]);
    });

    it('warns about a Secret that does not exist', () => {
      expect(check('secret-exists', request(), { cluster })).toEqual([
        {
          path: 'env[3].secretKeyRef.name',
          message:
            "Secret 'missing' (for SMTP_URL) does not exist in namespace 'payments-api-development'",
          severity: 'warning',
        },
      ]);
    });

    it('says nothing when the Secrets are not known', () => {
      const { secrets: _unknown, ...withoutSecrets } = cluster;
      expect(
        check('secret-ownership', request(), { cluster: withoutSecrets }),
      ).toEqual([]);
      expect(
        check('secret-exists', request(), { cluster: withoutSecrets }),
      ).toEqual([]);
    });
  });

  describe('image-source', () => {
    it("refuses 'latest', foreign registries and tags in production", () => {
      expect(
        check(
          'image-source',
          developmentRequest({
            image: { repository: 'docker.io/library/nginx', tag: 'latest' },
          }),
          { settings: { allowedRegistries: ['ghcr.io/acme'] } },
        ),
      ).toEqual([
        {
          path: 'image.repository',
          message:
            "image repository 'docker.io/library/nginx' is not in an allowed registry",
          severity: 'error',
        },
        {
          path: 'image.tag',
          message: "image tag 'latest' is not allowed",
          severity: 'error',
        },
      ]);
      expect(
        check(
          'image-source',
          productionRequest({
            image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
          }),
        ),
      ).toEqual([
        {
          path: 'image.digest',
          message: 'production requires an image digest',
          severity: 'error',
        },
      ]);
    });
  });

  describe('plaintext-secrets', () => {
    it('recognises secrets by name, URL credentials, token shapes and entropy', () => {
      const violations = check(
        'plaintext-secrets',
        developmentRequest({
          env: [
            { name: 'JWT_SECRET', value: 'changeme' },
            {
              name: 'DATABASE_URL',
              value: 'postgresql://app:s3cret@db:5432/payments',
            },
            { name: 'DEPLOY_HOOK', value: `ghp_${'a1B2'.repeat(9)}` },
            { name: 'SIGNING', value: '-----BEGIN RSA PRIVATE KEY-----\nMIIE' },
            { name: 'OPAQUE', value: 'q8V!zR2@xL9#mP4$wK7%tN1^' },
            { name: 'ACCESS_TOKEN_EXPIRE_MINUTES', value: '30' },
            { name: 'DATABASE_HOST', value: 'postgresql://db:5432/payments' },
            {
              name: 'REQUEST_ID',
              value: '3f2b8c1e-9d4a-4b7e-8f6a-2c1d0e9b8a7f',
            },
          ],
        }),
      );
      expect(violations).toEqual([
        {
          path: 'env[0].value',
          message: 'JWT_SECRET holds a secret as a plain value',
          severity: 'error',
        },
        {
          path: 'env[1].value',
          message:
            'the value of DATABASE_URL looks like a URL with a password in it',
          severity: 'error',
        },
        {
          path: 'env[2].value',
          message: 'the value of DEPLOY_HOOK looks like a GitHub token',
          severity: 'error',
        },
        {
          path: 'env[3].value',
          message: 'the value of SIGNING looks like a private key',
          severity: 'error',
        },
        {
          path: 'env[4].value',
          message:
            'the value of OPAQUE looks like a high-entropy string (a generated key or token)',
          severity: 'error',
        },
      ]);
    });
  });

  describe('canonical-config-names', () => {
    it('warns about aliases, naming the canonical variable', () => {
      expect(
        check(
          'canonical-config-names',
          developmentRequest({
            env: [
              { name: 'PYTHON_ENV', value: 'development' },
              { name: 'JWT_SECRET', secretKeyRef: { name: 'app', key: 'jwt' } },
              { name: 'JWT_ALGORITHM', value: 'HS256' },
              { name: 'ALLOWED_ORIGINS', value: 'https://shop.acme.example' },
            ],
          }),
        ),
      ).toEqual([
        {
          path: 'env[0].name',
          message: 'PYTHON_ENV is an alias of ENVIRONMENT',
          severity: 'warning',
        },
        {
          path: 'env[1].name',
          message: 'JWT_SECRET is an alias of SECRET_KEY',
          severity: 'warning',
        },
        {
          path: 'env[2].name',
          message: 'JWT_ALGORITHM is an alias of ALGORITHM',
          severity: 'warning',
        },
        {
          path: 'env[3].name',
          message: 'ALLOWED_ORIGINS is an alias of CORS_ORIGINS',
          severity: 'warning',
        },
      ]);
    });
  });

  describe('health-probes', () => {
    it('refuses containers without probes', () => {
      expect(
        check('health-probes', developmentRequest(), {
          tamper: manifests => {
            const copy = structuredClone(manifests);
            delete podSpec(copy).containers[0].readinessProbe;
            return copy;
          },
        }),
      ).toEqual([
        {
          path: 'Deployment.spec.template.spec.containers[0].readinessProbe',
          message: "container 'payments-api' has no HTTP readinessProbe",
          severity: 'error',
        },
      ]);
    });
  });

  describe('change-reference', () => {
    it('requires a change reference in production', () => {
      expect(
        check(
          'change-reference',
          productionRequest({ changeReference: undefined }),
        ),
      ).toEqual([
        {
          path: 'changeReference',
          message: 'production requires a change reference',
          severity: 'error',
        },
      ]);
    });
  });

  describe('otap-order', () => {
    it('requires the digest to have run in acceptance first', () => {
      const other = `sha256:${'cd34'.repeat(16)}`;
      expect(
        check(
          'otap-order',
          productionRequest({
            image: { repository: 'ghcr.io/acme/payments-api', digest: other },
          }),
        ),
      ).toEqual([
        {
          path: 'image.digest',
          message: `image digest ${other} never ran successfully in acceptance; acceptance runs ghcr.io/acme/payments-api:1.4.2@${DIGEST}`,
          severity: 'error',
        },
      ]);
      expect(
        check('otap-order', productionRequest(), {
          cluster: { deployedDigests: {} },
        }),
      ).toEqual([
        {
          path: 'image.digest',
          message: `image digest ${DIGEST} never ran successfully in acceptance; nothing runs in acceptance yet`,
          severity: 'error',
        },
      ]);
      expect(check('otap-order', productionRequest())).toEqual([]);
    });

    it('refuses a tag in production, naming the digest that runs in acceptance', () => {
      expect(
        check(
          'otap-order',
          productionRequest({
            image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
          }),
        ),
      ).toEqual([
        {
          path: 'image.digest',
          message: `production takes a digest that ran in acceptance, not a tag; acceptance runs ghcr.io/acme/payments-api:1.4.2@${DIGEST}`,
          severity: 'error',
        },
      ]);
      expect(DIGEST).toMatch(/^sha256:/);
    });
  });

  describe('manifest-scope', () => {
    it('refuses smuggled kinds and objects outside the namespace', () => {
      expect(
        check('manifest-scope', developmentRequest(), {
          tamper: manifests => [
            ...manifests,
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRoleBinding',
              metadata: { name: 'pwn' },
            } as any,
          ],
        }),
      ).toEqual([
        {
          path: 'manifests[5].kind',
          message:
            'kind ClusterRoleBinding is not something the portal deploys',
          severity: 'error',
        },
        {
          path: 'manifests[5].metadata.namespace',
          message:
            "ClusterRoleBinding 'pwn' is cluster-scoped, not in 'payments-api-development'",
          severity: 'error',
        },
      ]);
    });
  });
});

describe('evaluatePolicies', () => {
  it('disables and re-tunes policies from settings', () => {
    const request = developmentRequest({
      image: { repository: 'ghcr.io/acme/payments-api', tag: 'latest' },
    });
    expect(check('image-source', request)).toHaveLength(1);
    expect(
      check('image-source', request, { settings: { enabled: false } }),
    ).toEqual([]);
    expect(
      check('image-source', request, { settings: { severity: 'warning' } })[0]
        .severity,
    ).toBe('warning');
  });

  it('reports a throwing policy as a blocking violation instead of throwing', () => {
    const parsed = parseDeploymentRequest(developmentRequest());
    if (!parsed.success) throw new Error('invalid fixture');
    const violations = evaluatePolicies(
      {
        request: parsed.request,
        manifests: [],
        context: { owner: OWNER, cluster: {} },
      },
      [
        {
          id: 'broken',
          title: 'Broken',
          description: 'throws',
          defaultSeverity: 'warning',
          evaluate: () => {
            throw new Error('boom');
          },
        },
      ],
    );
    expect(violations).toEqual([
      expect.objectContaining({
        policyId: 'broken',
        severity: 'error',
        message: 'policy broken failed: boom',
      }),
    ]);
    expect(hasBlockingViolations(violations)).toBe(true);
  });

  it('cuts what a finding says to a fixed size, whatever the request or a module policy holds', () => {
    const parsed = parseDeploymentRequest(developmentRequest());
    if (!parsed.success) throw new Error('invalid fixture');
    const huge = `a\u0000b${'x'.repeat(100_000)}`;
    const violations = evaluatePolicies(
      {
        request: parsed.request,
        manifests: [],
        context: { owner: OWNER, cluster: {} },
      },
      [
        {
          id: 'verbose',
          title: 'Verbose',
          description: 'quotes everything',
          defaultSeverity: 'warning',
          evaluate: () => [{ path: huge, message: huge, hint: huge }],
        },
        {
          id: 'throws-verbosely',
          title: 'Throws verbosely',
          description: 'throws with everything',
          defaultSeverity: 'warning',
          evaluate: () => {
            throw new Error(huge);
          },
        },
      ],
    );
    expect(violations).toHaveLength(2);
    const [finding, failure] = violations;
    expect(finding.path).toHaveLength(200);
    expect(finding.message).toHaveLength(500);
    expect(finding.hint).toHaveLength(500);
    expect(finding.message.startsWith('a b')).toBe(true);
    expect(finding.message.endsWith('…')).toBe(true);
    expect(failure.message).toHaveLength(500);

    // A built-in quoting the longest env var name stays within the bounds.
    const name = `${'X'.repeat(244)}_PASSWORD`;
    const [plaintext] = check(
      'plaintext-secrets',
      developmentRequest({ env: [{ name, value: 'hunter2' }] }),
    );
    expect(plaintext.message).toContain(name);
    expect(plaintext.message.length).toBeLessThanOrEqual(500);
  });
});
