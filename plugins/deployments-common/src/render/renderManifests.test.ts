import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  developmentRequest,
  OWNER,
  productionRequest,
} from '../__fixtures__/requests';
import {
  DeploymentRequestInput,
  parseDeploymentRequest,
} from '../model/request';
import { renderManifests } from './renderManifests';

// Golden files: the exact objects the portal applies. After an intended
// change, regenerate with UPDATE_GOLDEN=1 and review the diff.
const goldenDir = resolve(
  dirname(
    require.resolve(
      '@deployments-portal/backstage-plugin-deployments-common/package.json',
    ),
  ),
  'src/render/__golden__',
);

function render(input: DeploymentRequestInput) {
  const parsed = parseDeploymentRequest(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return renderManifests(parsed.request, {
    owner: OWNER,
    ingressNamespace: 'ingress-nginx',
  });
}

const cases: Record<string, DeploymentRequestInput> = {
  development: developmentRequest(),
  'production-autoscaling': productionRequest({
    autoscaling: {
      minReplicas: 3,
      maxReplicas: 8,
      targetCPUUtilizationPercentage: 65,
    },
    ports: [
      { name: 'http', containerPort: 8000 },
      { name: 'metrics', containerPort: 9102 },
    ],
  }),
};

describe('renderManifests', () => {
  it.each(Object.keys(cases))('matches the golden manifests for %s', name => {
    const text = `${JSON.stringify(render(cases[name]), null, 2)}\n`;
    const file = resolve(goldenDir, `${name}.json`);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file)).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('is deterministic', () => {
    expect(JSON.stringify(render(developmentRequest()))).toBe(
      JSON.stringify(render(developmentRequest())),
    );
  });

  it('allows egress only to DNS, the application and the declared destinations, never the metadata endpoint', () => {
    const netpol = render(
      developmentRequest({
        egress: [
          { cidr: '0.0.0.0/0', ports: [443] },
          { cidr: '10.20.0.0/16', ports: [5432] },
          { namespace: 'payments-db', ports: [5432] },
        ],
      }),
    ).find(m => m.kind === 'NetworkPolicy') as any;
    expect(netpol.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const [dns, own, anywhere, database, namespace] = netpol.spec.egress;
    expect(dns.ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
    expect(own.to).toEqual([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'payments-api' },
        },
      },
    ]);
    expect(anywhere).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }],
      ports: [{ port: 443, protocol: 'TCP' }],
    });
    expect(database.to).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
    expect(namespace.to).toEqual([
      {
        namespaceSelector: {
          matchLabels: { 'kubernetes.io/metadata.name': 'payments-db' },
        },
      },
    ]);
    expect(netpol.spec.egress).toHaveLength(5);
  });

  it('keeps secret references out of the ConfigMap', () => {
    const configMap = render(developmentRequest()).find(
      m => m.kind === 'ConfigMap',
    ) as any;
    expect(Object.keys(configMap.data)).not.toContain('SECRET_KEY');
    expect(Object.keys(configMap.data)).not.toContain('DATABASE_URL');
  });

  it('rolls the pods when plain config changes', () => {
    const hash = (input: DeploymentRequestInput) =>
      (render(input).find(m => m.kind === 'Deployment') as any).spec.template
        .metadata.annotations['deployments/config-hash'];
    expect(hash(developmentRequest())).not.toBe(
      hash(
        developmentRequest({ env: [{ name: 'ENVIRONMENT', value: 'dev' }] }),
      ),
    );
  });

  it('adds a PodDisruptionBudget only from two replicas and an HPA only with autoscaling', () => {
    const kinds = (input: DeploymentRequestInput) =>
      render(input).map(m => m.kind);
    expect(kinds(developmentRequest({ replicas: 1 }))).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'Deployment',
      'Service',
      'NetworkPolicy',
    ]);
    expect(kinds(developmentRequest({ replicas: 2 }))).toContain(
      'PodDisruptionBudget',
    );
    expect(kinds(cases['production-autoscaling'])).toEqual([
      'ServiceAccount',
      'ConfigMap',
      'Deployment',
      'Service',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
    ]);
  });
});
