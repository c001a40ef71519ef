import {
  developmentRequest,
  productionRequest,
} from '../__fixtures__/requests';
import { parseDeploymentRequest } from '../model/request';
import { renderManifests } from '../render/renderManifests';
import { evaluatePolicies } from './engine';
import { costBudgetPolicy } from './costBudget';
import { validateDeployment } from '../validateDeployment';

const OWNER = 'group:default/team-payments';
const prices = {
  currency: 'EUR',
  cpuHour: 0.04,
  gibHour: 0.005,
  basis: 'requests',
};

function check(
  input: unknown,
  settings: Record<string, unknown>,
  teamMonthlyCost?: number,
) {
  const parsed = parseDeploymentRequest(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return evaluatePolicies(
    {
      request: parsed.request,
      manifests: renderManifests(parsed.request, { owner: OWNER }),
      context: {
        owner: OWNER,
        cluster: teamMonthlyCost === undefined ? {} : { teamMonthlyCost },
      },
    },
    [costBudgetPolicy],
    { 'cost-budget': settings },
  );
}

// 1 CPU and 1Gi per replica: €32.85 a month each.
const sized = (replicas: number, extra: Record<string, unknown> = {}) =>
  productionRequest({
    replicas,
    resources: {
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '2', memory: '2Gi' },
    },
    ...extra,
  });

describe('cost-budget policy', () => {
  it('finds nothing without a budget or without prices', () => {
    expect(check(sized(10), prices)).toEqual([]);
    expect(check(sized(10), { budget: 10 })).toEqual([]);
    expect(check(developmentRequest(), {})).toEqual([]);
  });

  it('passes a change within the budget, up to the cent', () => {
    // 2 × 32.85 = 65.70
    expect(check(sized(2), { ...prices, budget: 65.7 })).toEqual([]);
  });

  it('blocks a change over the budget with the figures and the key to raise', () => {
    expect(check(sized(2), { ...prices, budget: 65.69 })).toEqual([
      {
        policyId: 'cost-budget',
        severity: 'error',
        path: 'replicas',
        message:
          'estimated €65.70/month exceeds the production budget of €65.69/month for team team-payments',
        hint: 'lower replicas/CPU/memory or ask the platform team to raise deployments.environments.production.cost.budget',
        docsAnchor: 'policies/#cost-budget',
      },
    ]);
  });

  it("counts the team's other deployments in the environment", () => {
    expect(check(sized(2), { ...prices, budget: 100 }, 30)).toEqual([]);
    const [finding] = check(sized(2), { ...prices, budget: 100 }, 40.5);
    expect(finding.message).toBe(
      "estimated €106.20/month exceeds the production budget of €100.00/month for team team-payments (this deployment €65.70/month, the team's other deployments in production €40.50/month)",
    );
  });

  it('judges an autoscaled deployment at its most replicas', () => {
    const autoscaled = sized(2, {
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
    });
    const [finding] = check(autoscaled, { ...prices, budget: 100 });
    expect(finding).toMatchObject({
      path: 'autoscaling',
      message:
        'estimated €131.40/month exceeds the production budget of €100.00/month for team team-payments',
    });
    expect(check(autoscaled, { ...prices, budget: 131.4 })).toEqual([]);
  });

  it('prices limits when the basis says so', () => {
    // limits 2 CPU, 2Gi: 730 × (0.08 + 0.01) = 65.70 per replica
    expect(
      check(sized(1), { ...prices, basis: 'limits', budget: 50 }),
    ).toHaveLength(1);
    expect(check(sized(1), { ...prices, budget: 50 })).toEqual([]);
  });

  it('makes validateDeployment refuse the request, or warn when configured so', () => {
    const blocked = validateDeployment(sized(2), {
      owner: OWNER,
      policies: [costBudgetPolicy],
      settings: { 'cost-budget': { ...prices, budget: 10 } },
    });
    expect(blocked.valid).toBe(false);
    const warned = validateDeployment(sized(2), {
      owner: OWNER,
      policies: [costBudgetPolicy],
      settings: {
        'cost-budget': { ...prices, budget: 10, severity: 'warning' },
      },
    });
    expect(warned.valid).toBe(true);
  });
});
