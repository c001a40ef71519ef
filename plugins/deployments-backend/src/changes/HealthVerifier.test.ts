import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  HealthContractResult,
  ProbeStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { StoredChange } from '../store/ChangeStore';
import { HealthVerifier } from './HealthVerifier';

// The verdict over a window of probes, from answers given in order (the
// probe is the unit boundary here; the kube test probes a real server).
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
};
const change = {
  entityRef: 'component:default/payments-api',
  environment: 'development',
  namespace: 'payments-api-development',
} as StoredChange;

function contract(status: ProbeStatus): HealthContractResult {
  const url = 'http://svc/api/v2/ready';
  const result = {
    status,
    url,
    ...(status === 'unreachable'
      ? { error: 'connection refused' }
      : { httpStatus: status === 'up' ? 200 : 503 }),
  };
  return { liveness: result, readiness: result, info: result };
}

function verifier(
  answers: Array<ProbeStatus | 'no-target'>,
  failureThreshold = 2,
) {
  let i = 0;
  const probed: number[] = [];
  const instance = HealthVerifier.create({
    settings: {
      windowSeconds: 0.3,
      intervalSeconds: 0.05,
      failureThreshold,
    },
    application: async () => entity,
    probe: async () => {
      const answer = answers[Math.min(i, answers.length - 1)];
      probed.push(i++);
      return answer === 'no-target'
        ? { probeError: 'No health target for development' }
        : { target: 'http://svc', probes: contract(answer) };
    },
    logger: mockServices.logger.mock(),
  });
  return { instance, probed };
}

const run = (answers: Array<ProbeStatus | 'no-target'>) =>
  verifier(answers).instance.verify(change, new AbortController().signal);

describe('HealthVerifier', () => {
  it('verifies a revision whose readiness answers 200 through the window', async () => {
    const verdict = await run(['up']);
    expect(verdict).toMatchObject({ outcome: 'verified' });
    expect((verdict as { probes: number }).probes).toBeGreaterThan(2);
  });

  it('fails after failureThreshold answers other than 200 in a row, naming the endpoint and status', async () => {
    expect(await run(['up', 'down', 'down'])).toEqual({
      outcome: 'failed',
      reason:
        'its readiness contract failed 2 times in a row after the pods were Ready: GET http://svc/api/v2/ready answered 503',
    });
  });

  it('lets one 200 reset the count', async () => {
    expect(await run(['down', 'up', 'down', 'up'])).toMatchObject({
      outcome: 'verified',
    });
  });

  it('fails when the window ends on a failure short of the threshold', async () => {
    const verdict = await verifier(['up', 'down'], 1000).instance.verify(
      change,
      new AbortController().signal,
    );
    expect(verdict).toMatchObject({ outcome: 'failed' });
    expect((verdict as { reason: string }).reason).toContain(
      'was failing when the verification window of 0.3s ended',
    );
  });

  it('does not fail a revision on probes that got no answer at all', async () => {
    const silent = verifier(['unreachable']);
    expect(
      await silent.instance.verify(change, new AbortController().signal),
    ).toEqual({
      outcome: 'skipped',
      reason:
        'the readiness contract did not answer the portal (2 probes in a row): GET http://svc/api/v2/ready did not answer: connection refused',
    });
    // Given up on after failureThreshold probes, not the whole window.
    expect(silent.probed).toHaveLength(2);
    expect(
      await run(['up', 'unreachable', 'unreachable', 'unreachable']),
    ).toMatchObject({ outcome: 'verified' });
    expect(
      await run(['unreachable', 'down', 'unreachable', 'down']),
    ).toMatchObject({ outcome: 'failed' });
  });

  it('skips an application without a health target after one look', async () => {
    const { instance, probed } = verifier(['no-target']);
    expect(await instance.verify(change, new AbortController().signal)).toEqual(
      {
        outcome: 'skipped',
        reason: 'No health target for development',
      },
    );
    expect(probed).toHaveLength(1);
  });

  it('stops when the worker is stopped', async () => {
    const controller = new AbortController();
    const pending = verifier(['up']).instance.verify(change, controller.signal);
    controller.abort();
    expect(await pending).toEqual({ outcome: 'aborted' });
  });
});
