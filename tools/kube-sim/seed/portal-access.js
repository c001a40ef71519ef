#!/usr/bin/env node
/*
 * Prints (as a JSON List for `kubectl apply -f -`) what the portal needs in a
 * local cluster: one namespace per deployable example application and
 * environment, labelled with its owner, holding an example Secret
 * `<application>-secrets` labelled for it, and the service account the portal
 * uses - read access cluster-wide to what the Kubernetes tab lists (no
 * ConfigMaps, Secrets, logs or events), write access and the rest only in
 * those namespaces. No long-lived token Secret: the token is requested with
 * the TokenRequest API (`kubectl create token`, see scripts/lib/clusters.sh).
 *
 *   node portal-access.js [--prefix=<namespace prefix>] <catalog file> <environment>...
 */
const { readFileSync } = require('node:fs');
const { parseAllDocuments } = require('yaml');

const args = process.argv.slice(2);
const prefixArg = args.find(a => a.startsWith('--prefix='));
const prefix = prefixArg ? prefixArg.slice('--prefix='.length) : '';
const [catalogFile, ...environments] = args.filter(a => a !== prefixArg);
if (!catalogFile || environments.length === 0) {
  console.error(
    'usage: portal-access.js [--prefix=<namespace prefix>] <catalog file> <environment>...',
  );
  process.exit(2);
}

const applications = parseAllDocuments(readFileSync(catalogFile, 'utf8'))
  .map(doc => doc.toJS())
  .filter(
    e =>
      e &&
      e.kind === 'Component' &&
      e.metadata.annotations?.['deployments/image'],
  )
  .map(e => ({
    name: e.metadata.name,
    owner: String(e.spec.owner).replace(/^group:(default\/)?/, ''),
  }));

const SA = {
  kind: 'ServiceAccount',
  name: 'backstage-portal',
  namespace: 'backstage-system',
};
const items = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'backstage-system' },
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SA.name, namespace: SA.namespace },
    automountServiceAccountToken: false,
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'backstage-portal-read' },
    // What the Kubernetes tab lists across namespaces (kubernetes.objectTypes
    // in app-config.yaml) and the namespaces the policies check: get and
    // list only. No ConfigMaps, Secrets, logs or events cluster-wide; those
    // are readable only in the applications' namespaces (below).
    rules: [
      {
        apiGroups: [''],
        resources: [
          'pods',
          'services',
          'namespaces',
          'limitranges',
          'resourcequotas',
        ],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers'],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['batch'],
        resources: ['jobs', 'cronjobs'],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses'],
        verbs: ['get', 'list'],
      },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'backstage-portal-read' },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'backstage-portal-read',
    },
    subjects: [SA],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'backstage-portal-deploy' },
    // Bound in each application namespace only. Server-side apply needs get,
    // create and patch; pruning and delete need delete; rollouts are
    // followed with list and watch. No update (the portal never PUTs) and
    // no scale (the HorizontalPodAutoscaler scales).
    rules: [
      {
        apiGroups: [''],
        resources: ['services', 'configmaps', 'serviceaccounts'],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: [''],
        resources: ['pods', 'events'],
        verbs: ['get', 'list', 'watch'],
      },
      // Pod logs for the Kubernetes tab, in the applications' namespaces only.
      {
        apiGroups: [''],
        resources: ['pods/log'],
        verbs: ['get'],
      },
      // Secrets: read as metadata only (PartialObjectMetadata), to check that
      // a secretKeyRef names a Secret labelled for the application. The
      // portal never reads, logs or returns their values.
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['get'],
      },
      // Health probes through the API server's service proxy
      // (deployments.environments.<env>.health.via: service-proxy).
      {
        apiGroups: [''],
        resources: ['services/proxy'],
        verbs: ['get'],
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: ['apps'],
        resources: ['replicasets'],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers'],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['networkpolicies'],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: ['policy'],
        resources: ['poddisruptionbudgets'],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
    ],
  },
];

for (const environment of environments) {
  for (const app of applications) {
    const namespace = `${prefix}${app.name}-${environment}`;
    items.push(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: namespace,
          labels: {
            'backstage.io/owner': app.owner,
            'deployments/application': app.name,
            'deployments/environment': environment,
          },
        },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'backstage-portal-deploy', namespace },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'backstage-portal-deploy',
        },
        subjects: [SA],
      },
      // The application's example Secret, labelled for it (the
      // secret-ownership policy), so that the example deployments' secret
      // references resolve. Placeholder values for the local clusters only.
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: `${app.name}-secrets`,
          namespace,
          labels: { 'deployments/application': app.name },
        },
        stringData: {
          'secret-key': 'local-example-only',
          'database-url': 'local-example-only',
        },
      },
    );
  }
}

process.stdout.write(
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2),
);
