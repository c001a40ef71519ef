import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { redactConfigValues } from './redactConfigValues';

const OURS = 'component:default/payments-api';
const THEIRS = 'component:default/orders-api';

function record(entityRef: string) {
  return {
    entityRef,
    request: {
      replicas: 2,
      env: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'PARTNER_ENDPOINT', value: 'https://partner.internal/x' },
        { name: 'SECRET_KEY', secretKeyRef: { name: 'app', key: 'key' } },
      ],
    },
  };
}

function app(body: unknown) {
  const authorize = jest.fn(async (requests: Array<{ resourceRef?: string }>) =>
    requests.map(r => ({
      result:
        r.resourceRef === OURS ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    })),
  );
  const server = express()
    .use(
      redactConfigValues({
        httpAuth: mockServices.httpAuth(),
        permissions: mockServices.permissions.mock({
          authorize: authorize as any,
        }),
      }),
    )
    .get('/answer', (_req, res) => {
      res.status(202).json(body);
    })
    .use(mockErrorHandler());
  return { server, authorize };
}

describe('redactConfigValues', () => {
  it('keeps names and drops the values of applications the caller may not read, wherever they are nested', async () => {
    const { server, authorize } = app({
      deployments: [record(OURS), record(THEIRS)],
      nested: { approval: { ...record(THEIRS), id: 'a1' } },
    });
    const res = await request(server)
      .get('/answer')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(202);
    expect(res.body.deployments[0].request.env).toEqual(
      record(OURS).request.env,
    );
    const redacted = [
      { name: 'LOG_LEVEL', redacted: true },
      { name: 'PARTNER_ENDPOINT', redacted: true },
      { name: 'SECRET_KEY', secretKeyRef: { name: 'app', key: 'key' } },
    ];
    expect(res.body.deployments[1].request.env).toEqual(redacted);
    expect(res.body.deployments[1].request.replicas).toBe(2);
    expect(res.body.nested.approval.request.env).toEqual(redacted);
    expect(res.body.nested.approval.id).toBe('a1');
    expect(
      JSON.stringify(res.body.deployments[1]) + JSON.stringify(res.body.nested),
    ).not.toMatch(/debug|partner\.internal/);
    // One permission call for the whole answer, one entry per application.
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(authorize.mock.calls[0][0]).toHaveLength(2);
  });

  it('asks nothing when the answer carries no values', async () => {
    const { server, authorize } = app({ items: [{ id: 1 }] });
    const res = await request(server)
      .get('/answer')
      .set('authorization', mockCredentials.user.header());
    expect(res.body).toEqual({ items: [{ id: 1 }] });
    expect(authorize).not.toHaveBeenCalled();
  });

  it('redacts everything for a caller without credentials', async () => {
    const { server, authorize } = app(record(OURS));
    const res = await request(server)
      .get('/answer')
      .set('authorization', mockCredentials.none.header());
    expect(res.body.request.env[0]).toEqual({
      name: 'LOG_LEVEL',
      redacted: true,
    });
    expect(authorize).not.toHaveBeenCalled();
  });
});
