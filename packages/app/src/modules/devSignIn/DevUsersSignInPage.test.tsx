import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { discoveryApiRef, IdentityApi } from '@backstage/core-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DEV_USER_HEADER,
  DEV_USER_STORAGE_KEY,
  DevUsersSignInPage,
} from './DevUsersSignInPage';
import { devUsers } from './devUsers';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) =>
    `http://localhost:7007/api/${pluginId}`,
};

/** What the auth backend's /refresh answers for a user. */
function identityResponse(userEntityRef: string) {
  return {
    profile: { displayName: userEntityRef },
    backstageIdentity: {
      token: 'a.eyJleHAiOjQxMDI0NDQ4MDB9.c',
      identity: {
        type: 'user',
        userEntityRef,
        ownershipEntityRefs: [userEntityRef],
      },
    },
  };
}

const fetchMock = jest.fn();
const realFetch = global.fetch;

beforeEach(() => {
  window.localStorage.clear();
  fetchMock.mockReset();
  global.fetch = fetchMock;
});
afterAll(() => {
  global.fetch = realFetch;
});

function answerAs(userEntityRef: string) {
  fetchMock.mockResolvedValue(
    new Response(JSON.stringify(identityResponse(userEntityRef)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    }),
  );
}

async function renderPage() {
  const onSignInSuccess = jest.fn<void, [IdentityApi]>();
  await renderInTestApp(
    <DevUsersSignInPage onSignInSuccess={onSignInSuccess} />,
    { apis: [[discoveryApiRef, discoveryApi]] },
  );
  return onSignInSuccess;
}

describe('DevUsersSignInPage', () => {
  it('offers every example user and the guest', async () => {
    await renderPage();
    for (const user of devUsers) {
      expect(
        screen.getByRole('button', { name: `Sign in as ${user.name}` }),
      ).toBeInTheDocument();
    }
    expect(screen.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('signs in as the chosen user through the dev-users provider and remembers the choice', async () => {
    answerAs('user:default/ada');
    const onSignInSuccess = await renderPage();

    await userEvent.click(
      screen.getByRole('button', { name: 'Sign in as ada' }),
    );

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('http://localhost:7007/api/auth/dev-users/refresh');
    expect(new Headers(init.headers).get(DEV_USER_HEADER)).toBe('ada');
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBe('ada');

    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/ada',
    });
    await identity.signOut();
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBeNull();
  });

  it('signs in again as the remembered user without asking', async () => {
    window.localStorage.setItem(DEV_USER_STORAGE_KEY, 'rita');
    answerAs('user:default/rita');
    const onSignInSuccess = await renderPage();

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(
      new Headers(fetchMock.mock.calls[0][1].headers).get(DEV_USER_HEADER),
    ).toBe('rita');
  });

  it('signs the guest in through the guest provider', async () => {
    answerAs('user:default/guest');
    const onSignInSuccess = await renderPage();

    await userEvent.click(screen.getByRole('button', { name: 'Enter' }));

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchMock.mock.calls[0][0]).toBe(
      'http://localhost:7007/api/auth/guest/refresh',
    );
    expect(
      new Headers(fetchMock.mock.calls[0][1].headers).has(DEV_USER_HEADER),
    ).toBe(false);
  });

  it('says why a sign-in failed, forgets the choice and lets one choose again', async () => {
    window.localStorage.setItem(DEV_USER_STORAGE_KEY, 'nobody');
    fetchMock.mockResolvedValueOnce(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotFoundError',
            message: "No user 'nobody' in the catalog",
          },
          response: { statusCode: 404 },
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      ),
    );
    const onSignInSuccess = await renderPage();
    expect(
      await screen.findByText(
        /Sign-in failed: No user 'nobody' in the catalog/,
      ),
    ).toBeInTheDocument();
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBeNull();

    answerAs('user:default/linus');
    await userEvent.click(
      screen.getByRole('button', { name: 'Sign in as linus' }),
    );
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(window.localStorage.getItem(DEV_USER_STORAGE_KEY)).toBe('linus');
  });
});
