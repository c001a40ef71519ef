import { APIRequestContext, expect } from '@playwright/test';

const backendUrl = () => process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';

/**
 * A Backstage token for an example user, as the sign-in page gets it: the
 * guest provider for `guest`, the development sign-in (dev-users) for the
 * others (ada, grace, linus, margaret, rita, kelsey).
 */
export async function tokenFor(
  request: APIRequestContext,
  user: string,
): Promise<string> {
  const refresh = () =>
    user === 'guest'
      ? request.get(`${backendUrl()}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        })
      : request.get(`${backendUrl()}/api/auth/dev-users/refresh`, {
          headers: {
            'X-Requested-With': 'XMLHttpRequest',
            'x-portal-dev-user': user,
          },
        });
  // A fresh in-memory catalog may not hold the example users yet when the
  // first test of a run signs in (404 until it has read examples/org.yaml).
  let response = await refresh();
  await expect
    .poll(
      async () => {
        response = await refresh();
        return response.status();
      },
      { timeout: 180_000, intervals: [2_000] },
    )
    .toBe(200);
  return (await response.json()).backstageIdentity.token;
}

/**
 * Calls the deployments REST API as a user. A change is queued (202);
 * with `?wait=` the answer comes once it has ended (200). In an environment
 * that requires approval the answer is the pending approval request (202).
 */
export async function callAs(
  request: APIRequestContext,
  user: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: Record<string, unknown>,
) {
  const token = await tokenFor(request, user);
  return request.fetch(`${backendUrl()}/api/deployments${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
    data: body,
    timeout: 120_000,
  });
}

/** Deploys as a user and waits until it is Ready (200, succeeded). */
export async function deployAs(
  request: APIRequestContext,
  user: string,
  body: Record<string, unknown>,
) {
  const response = await callAs(
    request,
    user,
    'POST',
    '/deployments?wait=120',
    body,
  );
  expect(response.status(), await response.text()).toBe(200);
  const change = await response.json();
  expect(change.status, JSON.stringify(change)).toBe('succeeded');
  return change;
}

/** Deploys as the guest user (a member of team-payments). */
export function deployAsGuest(
  request: APIRequestContext,
  body: Record<string, unknown>,
) {
  return deployAs(request, 'guest', body);
}
