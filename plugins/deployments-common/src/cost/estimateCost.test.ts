import {
  costChange,
  CostPrices,
  estimateMonthlyCost,
  formatCostChange,
  formatMoney,
  formatMonthly,
  sumAmounts,
} from './estimateCost';

const prices: CostPrices = {
  currency: 'EUR',
  cpuHour: 0.04,
  gibHour: 0.005,
  basis: 'requests',
};

function request(
  requests: { cpu: string; memory: string },
  replicas = 1,
  extra: {
    limits?: { cpu: string; memory: string };
    autoscaling?: { minReplicas: number; maxReplicas: number };
  } = {},
) {
  return {
    replicas,
    resources: {
      requests,
      limits: extra.limits ?? { cpu: '2', memory: '4Gi' },
    },
    ...(extra.autoscaling ? { autoscaling: extra.autoscaling } : {}),
  };
}

describe('estimateMonthlyCost', () => {
  it('prices 1 CPU and 1Gi for 730 hours', () => {
    // 730 × (0.04 + 0.005) = 32.85
    expect(
      estimateMonthlyCost(request({ cpu: '1', memory: '1Gi' }), prices),
    ).toEqual({
      currency: 'EUR',
      basis: 'requests',
      perReplica: 32.85,
      replicas: 1,
      monthly: 32.85,
    });
  });

  it('reads millicores and binary suffixes: 250m and 1.5Gi', () => {
    // 730 × (0.25 × 0.04 + 1.5 × 0.005) = 730 × 0.0175 = 12.775 → 12.78
    const estimate = estimateMonthlyCost(
      request({ cpu: '250m', memory: '1.5Gi' }, 2),
      prices,
    );
    expect(estimate.perReplica).toBe(12.78);
    // Rounded once, at the end: 2 × 12.775 = 25.55 (not 2 × 12.78 = 25.56).
    expect(estimate.monthly).toBe(25.55);
  });

  it.each([
    // 730 × (0.5 × 0.04 + 0.5 × 0.005) = 16.425 exactly: half a cent, up
    // (floats make it 16.424999… and round down to 16.42).
    ['0.5', '512Mi', 16.43],
    ['100m', '128974848', 3.36],
    ['100m', '129e6', 3.36],
    ['100m', '1G', 6.32],
    ['1', '128Mi', 29.66], // 29.65625
  ])('prices cpu %s and memory %s to the cent', (cpu, memory, expected) => {
    expect(estimateMonthlyCost(request({ cpu, memory }), prices).monthly).toBe(
      expected,
    );
  });

  it('does not drift where floats would: 0.1 + 0.2 style prices', () => {
    // 730 × 3 × 0.1 × 0.1 = 21.9; in floats 21.900000000000002
    const estimate = estimateMonthlyCost(
      request({ cpu: '100m', memory: '0' }, 3),
      {
        ...prices,
        cpuHour: 0.1,
      },
    );
    expect(estimate.monthly).toBe(21.9);
    expect(sumAmounts([0.1, 0.2])).toBe(0.3);
  });

  it('rounds half a cent up', () => {
    // 1m × 0.5 × 730 = 0.365
    expect(
      estimateMonthlyCost(request({ cpu: '1m', memory: '0' }), {
        ...prices,
        cpuHour: 0.5,
      }).monthly,
    ).toBe(0.37);
  });

  it('prices limits when the basis is limits', () => {
    const estimate = estimateMonthlyCost(
      request({ cpu: '250m', memory: '256Mi' }, 1, {
        limits: { cpu: '1', memory: '1Gi' },
      }),
      { ...prices, basis: 'limits' },
    );
    expect(estimate).toMatchObject({ basis: 'limits', monthly: 32.85 });
    expect(
      estimateMonthlyCost(
        request({ cpu: '250m', memory: '256Mi' }, 1, {
          limits: { cpu: '1', memory: '1Gi' },
        }),
        prices,
      ).monthly,
    ).toBe(8.21); // 730 × (0.01 + 0.00125) = 8.2125
  });

  it('gives the range from min to max replicas with autoscaling', () => {
    const estimate = estimateMonthlyCost(
      request({ cpu: '1', memory: '1Gi' }, 5, {
        autoscaling: { minReplicas: 2, maxReplicas: 6 },
      }),
      prices,
    );
    expect(estimate).toMatchObject({
      replicas: 2,
      monthly: 65.7,
      maxReplicas: 6,
      monthlyMax: 197.1,
    });
    expect(formatMonthly(estimate)).toBe('€65.70–€197.10/month (2–6 replicas)');
  });

  it('costs nothing at 0 replicas', () => {
    expect(
      estimateMonthlyCost(request({ cpu: '1', memory: '1Gi' }, 0), prices)
        .monthly,
    ).toBe(0);
  });

  it('refuses what is not a quantity', () => {
    expect(() =>
      estimateMonthlyCost(request({ cpu: 'lots', memory: '1Gi' }), prices),
    ).toThrow('cpu lots is not a Kubernetes quantity');
  });
});

describe('formatting', () => {
  it('formats money with the currency and a sign when asked', () => {
    expect(formatMoney(12.4, 'EUR')).toBe('€12.40');
    expect(formatMoney(12.4, 'EUR', { signed: true })).toBe('+€12.40');
    expect(formatMoney(-3.05, 'USD', { signed: true })).toBe('-$3.05');
    expect(formatMoney(0, 'EUR', { signed: true })).toBe('€0.00');
  });

  it('describes a change against what runs, or a new deployment', () => {
    const small = estimateMonthlyCost(
      request({ cpu: '250m', memory: '256Mi' }),
      prices,
    );
    const large = estimateMonthlyCost(
      request({ cpu: '500m', memory: '512Mi' }),
      prices,
    );
    // 8.2125 → 8.21 and 16.425 → 16.43
    expect(formatCostChange(costChange(large))).toBe('new: €16.43/month');
    expect(costChange(large, small).monthlyDelta).toBe(8.22);
    expect(formatCostChange(costChange(large, small))).toBe('+€8.22/month');
    expect(formatCostChange(costChange(small, large))).toBe('-€8.22/month');
    expect(formatCostChange(costChange(small, small))).toBe('no change');
  });

  it('adds the change at the most replicas when autoscaling differs', () => {
    const fixed = estimateMonthlyCost(
      request({ cpu: '1', memory: '1Gi' }, 2),
      prices,
    );
    const scaled = estimateMonthlyCost(
      request({ cpu: '1', memory: '1Gi' }, 2, {
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
      }),
      prices,
    );
    expect(formatCostChange(costChange(scaled, fixed))).toBe(
      'no change (at the most replicas: +€65.70/month)',
    );
  });
});
