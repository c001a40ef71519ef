import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import { resolve } from 'node:path';
import request from 'supertest';
import { storeTestDatabases } from '../__testUtils__/databases';
import { HealthService } from '../health/HealthService';
import { createRouter } from '../router';
import { PolicyRegistry } from '../service/PolicyRegistry';
import { NewAuditEvent } from '../store/AuditStore';
import { AuditStore } from '../store/AuditStore';
import { AnonymousRefusals } from './AnonymousRefusals';
import { AuditLog } from './AuditLog';

const T0 = new Date('2026-12-01T09:00:00Z');

describe('AnonymousRefusals', () => {
  function limiter(perWindow = 3) {
    const written: NewAuditEvent[] = [];
    let now = T0;
    const refusals = new AnonymousRefusals(
      async event => {
        written.push(event);
      },
      { perWindow, windowMs: 60_000, now: () => now },
    );
    return {
      written,
      refusals,
      advance: (ms: number) => {
        now = new Date(now.getTime() + ms);
      },
    };
  }

  it('records the first refusals of a window and counts the rest per action', async () => {
    const { written, refusals, advance } = limiter(3);
    for (let i = 0; i < 5; i++) {
      await refusals.refused({ action: 'deploy', message: `POST /d/${i}` });
    }
    await refusals.refused({ action: 'delete', message: 'DELETE /d/x' });
    expect(written.map(e => e.message)).toEqual([
      'POST /d/0',
      'POST /d/1',
      'POST /d/2',
    ]);
    expect(written.every(e => e.actor === 'anonymous')).toBe(true);
    expect(written.every(e => e.result === 'refused')).toBe(true);

    // The next refusal after the window closes it: summaries, then a new window.
    advance(60_000);
    await refusals.refused({ action: 'restart', message: 'POST /r' });
    expect(written.slice(3)).toEqual([
      expect.objectContaining({
        action: 'deploy',
        actor: 'anonymous',
        result: 'refused',
        message: expect.stringMatching(
          /^2 more unauthenticated deploy calls refused from 2026-12-01T09:00:00\.000Z to 2026-12-01T09:01:00\.000Z, .*the first: POST \/d\/3$/,
        ),
      }),
      expect.objectContaining({
        action: 'delete',
        message: expect.stringMatching(
          /^1 more unauthenticated delete call refused .*the first: DELETE \/d\/x$/,
        ),
      }),
      expect.objectContaining({ action: 'restart', message: 'POST /r' }),
    ]);
    await refusals.flush();
    expect(written).toHaveLength(6); // nothing counted in the new window
  });

  it('closes the window on its own timer', async () => {
    const written: NewAuditEvent[] = [];
    const refusals = new AnonymousRefusals(
      async event => {
        written.push(event);
      },
      { perWindow: 1, windowMs: 50 },
    );
    await refusals.refused({ action: 'deploy', message: 'a' });
    await refusals.refused({ action: 'deploy', message: 'b' });
    expect(written).toHaveLength(1);
    await new Promise(r => setTimeout(r, 200));
    expect(written).toHaveLength(2);
    expect(written[1].message).toMatch(/^1 more unauthenticated deploy call/);
  });
});

const { ids, databases } = storeTestDatabases();

describe.each(ids)('a flood of unauthenticated changes on %s', databaseId => {
  it('stores a bounded number of rows whose counts add up to every refusal', async () => {
    const knex = await databases.init(databaseId);
    const store = await AuditStore.create(mockServices.database({ knex }));
    const audit = AuditLog.create({
      store,
      logger: mockServices.logger.mock(),
    });
    const deployments = { deploy: jest.fn(), delete: jest.fn() };
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      deployments: deployments as unknown as DeploymentService,
      policies: {} as PolicyRegistry,
      health: {} as HealthService,
      audit,
      permissions: mockServices.permissions(),
      openApiPath: resolve(__dirname, '../../openapi.yaml'),
    });
    const server = express().use(router).use(mockErrorHandler());

    for (let i = 0; i < 150; i++) {
      const res = await request(server)
        .post('/deployments')
        .set('authorization', mockCredentials.none.header())
        .send({});
      expect(res.status).toBe(401);
    }
    for (let i = 0; i < 50; i++) {
      const res = await request(server)
        .delete(`/deployments/production/ns-${i}/payments-api`)
        .set('authorization', mockCredentials.user.invalidHeader());
      expect(res.status).toBe(401);
    }
    await audit.flush();

    expect(deployments.deploy).not.toHaveBeenCalled();
    expect(deployments.delete).not.toHaveBeenCalled();
    const { items } = await store.page();
    expect(items.length).toBeLessThanOrEqual(12);
    expect(items.every(e => e.actor === 'anonymous')).toBe(true);
    expect(items.every(e => e.result === 'refused')).toBe(true);
    const counted = items.reduce((sum, e) => {
      const summary = /^(\d+) more unauthenticated/.exec(e.message ?? '');
      return sum + (summary ? Number(summary[1]) : 1);
    }, 0);
    expect(counted).toBe(200);
    expect(
      items.find(e => e.action === 'delete' && /more/.test(e.message ?? '')),
    ).toMatchObject({ message: expect.stringMatching(/^50 more/) });
  });
});
