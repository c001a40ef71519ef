#!/usr/bin/env node
/*
 * Prints (as a JSON List for `kubectl apply -f -`) what the portal needs in a
 * local cluster: one namespace per deployable example application and
 * environment, labelled with its owner, and the service account the portal
 * uses - read access cluster-wide (for the Kubernetes tab), write access only
 * in those namespaces.
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
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: {
      name: 'backstage-portal-token',
      namespace: SA.namespace,
      annotations: { 'kubernetes.io/service-account.name': SA.name },
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'backstage-portal-read' },
    rules: [
      {
        apiGroups: [''],
        resources: [
          'pods',
          'pods/log',
          'services',
          'configmaps',
          'namespaces',
          'events',
          'limitranges',
          'resourcequotas',
          'serviceaccounts',
        ],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['batch'],
        resources: ['jobs', 'cronjobs'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses', 'networkpolicies'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['policy'],
        resources: ['poddisruptionbudgets'],
        verbs: ['get', 'list', 'watch'],
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
    rules: [
      {
        apiGroups: [''],
        resources: ['services', 'configmaps', 'serviceaccounts'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: [''],
        resources: ['pods'],
        verbs: ['get', 'list', 'watch', 'delete'],
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
        resources: ['deployments', 'deployments/scale'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: ['apps'],
        resources: ['replicasets'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['networkpolicies'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: ['policy'],
        resources: ['poddisruptionbudgets'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
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
    );
  }
}

process.stdout.write(
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2),
);
