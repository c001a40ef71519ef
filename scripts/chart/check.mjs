// Checks the chart as installed by scripts/chart-test.sh, from what the API
// server answered (objects.json, roles.json, can-i.json in <work dir>).
// Prints each check; exits 1 on the first that fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = name => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const objects = read('objects.json').items;
const roles = read('roles.json').items;
const can = read('can-i.json');

function expect(ok, what, detail) {
  if (!ok) {
    console.error(
      `chart: FAILED: ${what}${
        detail ? `\n${JSON.stringify(detail, null, 2)}` : ''
      }`,
    );
    process.exit(1);
  }
  console.log(`chart: ${what}`);
}
// The release's objects (a namespace also holds kube-root-ca.crt, default, …).
const one = kind =>
  objects.find(
    o =>
      o.kind === kind &&
      o.metadata.labels?.['app.kubernetes.io/instance'] === 'portal',
  );

const deployment = one('Deployment');
expect(
  deployment.spec.replicas >= 2 &&
    deployment.status.readyReplicas === deployment.spec.replicas,
  `Deployment runs ${deployment.status.readyReplicas}/${deployment.spec.replicas} replicas ready (at least two)`,
  deployment.status,
);
const pod = deployment.spec.template.spec;
const [container] = pod.containers;
expect(
  container.readinessProbe?.httpGet?.path ===
    '/.backstage/health/v1/readiness' &&
    container.livenessProbe?.httpGet?.path === '/.backstage/health/v1/liveness',
  "readiness and liveness probe Backstage's health endpoints",
  { readiness: container.readinessProbe, liveness: container.livenessProbe },
);
expect(
  pod.securityContext?.runAsNonRoot === true &&
    pod.securityContext?.runAsUser === 1000 &&
    container.securityContext?.readOnlyRootFilesystem === true &&
    container.securityContext?.allowPrivilegeEscalation === false &&
    container.securityContext?.capabilities?.drop?.includes('ALL'),
  'non-root (uid 1000), read-only root filesystem, no privilege escalation, no capabilities',
  { pod: pod.securityContext, container: container.securityContext },
);
expect(
  pod.volumes.some(v => v.name === 'tmp' && v.emptyDir) &&
    container.volumeMounts.some(m => m.mountPath === '/tmp'),
  'an emptyDir at /tmp, the only place the backend writes',
);
expect(
  container.resources?.requests?.memory && container.resources?.limits?.memory,
  `resources set (requests ${JSON.stringify(
    container.resources?.requests,
  )}, limits ${JSON.stringify(container.resources?.limits)})`,
);
const env = Object.fromEntries(container.env.map(e => [e.name, e]));
expect(
  env.OIDC_METADATA_URL?.value?.startsWith('https://login.') &&
    [
      'POSTGRES_PASSWORD',
      'OIDC_CLIENT_SECRET',
      'AUTH_SESSION_SECRET',
      'REDIS_URL',
    ].every(name => env[name]?.valueFrom?.secretKeyRef) &&
    !container.env.some(e => /password|secret/i.test(e.name) && e.value),
  'secrets reach the backend only as Secret references (PostgreSQL, OIDC, Redis)',
);
const config = one('ConfigMap').data['app-config.chart.yaml'];
expect(
  /store: redis/.test(config) &&
    !/oidc: null/.test(config) &&
    /client: pg/.test(config) &&
    /host: 0\.0\.0\.0/.test(config),
  "config: PostgreSQL, the image's OIDC sign-in kept, Redis cache, metrics on the pod address",
  config,
);
const pdb = one('PodDisruptionBudget');
expect(
  pdb?.spec.minAvailable === 1 &&
    pdb.status?.expectedPods === deployment.spec.replicas,
  `PodDisruptionBudget keeps ${pdb?.spec.minAvailable} of ${pdb?.status?.expectedPods} pods`,
  pdb,
);
const policy = one('NetworkPolicy');
expect(
  policy?.spec.policyTypes?.includes('Ingress') &&
    policy.spec.ingress.length === 2 &&
    policy.spec.ingress[0].from?.[0]?.namespaceSelector,
  'NetworkPolicy admits only the HTTP port (from the ingress controller) and the metrics port',
  policy?.spec,
);
expect(
  one('Ingress')?.spec.rules[0].host === 'portal.chart-test.example',
  'Ingress for the host of baseUrl',
);
expect(
  roles.length === 2 &&
    roles.every(r =>
      r.rules.every(
        rule => !rule.verbs.includes('*') && !rule.resources.includes('*'),
      ),
    ),
  'two ClusterRoles (read, deploy) without wildcards',
  roles.map(r => r.rules),
);
expect(
  can.patchDeploymentsInAppNamespace === 'yes' &&
    can.readSecretMetadataInAppNamespace === 'yes' &&
    can.listPodsClusterWide === 'yes',
  'the service account may apply in the application namespace (incl. get on Secrets there, used for metadata only) and read what the Kubernetes tab lists',
  can,
);
expect(
  can.patchDeploymentsElsewhere === 'no' &&
    can.readSecretsElsewhere === 'no' &&
    can.listSecretsInAppNamespace === 'no' &&
    can.updateDeploymentsInAppNamespace === 'no' &&
    can.createNamespaces === 'no',
  'and nothing more: no writes outside it, no Secrets elsewhere, no listing Secrets, no update, no namespaces',
  can,
);
