/* eslint-disable no-console */
// Throughput and latency of the built-in policy set on realistic requests.
//   yarn bench:policies   (from the repository root)
// Target: >= 20,000 evaluations per second on one core, p99 < 0.5 ms.
import {
  BUILT_IN_POLICIES,
  DeploymentRequestInput,
  evaluatePolicies,
  parseDeploymentRequest,
  PolicyInput,
  renderManifests,
  validateDeployment,
} from '../src';
import {
  CLUSTER,
  developmentRequest,
  OWNER,
  productionRequest,
} from '../src/__fixtures__/requests';

function requests(): DeploymentRequestInput[] {
  const list: DeploymentRequestInput[] = [];
  for (let i = 0; i < 200; i++) {
    const base = i % 3 === 0 ? productionRequest() : developmentRequest();
    list.push({
      ...base,
      replicas: 1 + (i % 4),
      env: [
        ...(base.env ?? []),
        { name: `FEATURE_${i}`, value: i % 2 ? 'on' : 'off' },
        // Some requests carry typical mistakes so the violation paths run too.
        ...(i % 5 === 0 ? [{ name: 'JWT_SECRET', value: 'changeme' }] : []),
        ...(i % 7 === 0 ? [{ name: 'PYTHON_ENV', value: 'production' }] : []),
        ...(i % 11 === 0
          ? [
              {
                name: 'DATABASE_URL_RO',
                value: 'postgresql://ro:pw@db:5432/app',
              },
            ]
          : []),
      ],
    });
  }
  return list;
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))
  ];
}

function measure(name: string, iterations: number, run: (i: number) => void) {
  for (let i = 0; i < 2000; i++) run(i); // warm-up (JIT)
  const latencies = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    run(i);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} ${Math.round(iterations / seconds)
      .toLocaleString('en-US')
      .padStart(9)} req/s   p50 ${percentile(sorted, 50).toFixed(
      4,
    )} ms   p99 ${percentile(sorted, 99).toFixed(4)} ms`,
  );
}

const inputs: PolicyInput[] = requests().map(raw => {
  const parsed = parseDeploymentRequest(raw);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return {
    request: parsed.request,
    manifests: renderManifests(parsed.request, { owner: OWNER }),
    context: { owner: OWNER, cluster: CLUSTER },
  };
});
const raws = requests();
const iterations = Number(process.env.BENCH_ITERATIONS ?? 100_000);

console.log(
  `policies: ${BUILT_IN_POLICIES.length} built-in, ${inputs.length} distinct requests, ${iterations} iterations, node ${process.version}`,
);
measure('evaluatePolicies (full built-in set)', iterations, i => {
  evaluatePolicies(inputs[i % inputs.length], BUILT_IN_POLICIES);
});
measure('validateDeployment (parse + render + policies)', iterations / 4, i => {
  validateDeployment(raws[i % raws.length], { owner: OWNER, cluster: CLUSTER });
});
