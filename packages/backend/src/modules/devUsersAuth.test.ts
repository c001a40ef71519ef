import { ConfigReader } from '@backstage/config';
import {
  DEV_USER_HEADER,
  devSignInEnabled,
  devUsersAuthenticator,
  signInAsDevUser,
} from './devUsersAuth';

function requestWith(headers: Record<string, string>) {
  return {
    header: (name: string) => headers[name.toLowerCase()],
  } as never;
}

describe('devUsersAuthenticator', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  const authenticate = (headers: Record<string, string>) =>
    devUsersAuthenticator.authenticate(
      { req: requestWith(headers) },
      devUsersAuthenticator.initialize({ config: undefined as never }),
    );

  it('takes the user name from the header', async () => {
    await expect(authenticate({ [DEV_USER_HEADER]: ' ada ' })).resolves.toEqual(
      { result: { userName: 'ada' } },
    );
  });

  it('says what is missing or wrong in the header', async () => {
    await expect(authenticate({})).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`Missing header ${DEV_USER_HEADER}`),
    });
    await expect(
      authenticate({ [DEV_USER_HEADER]: 'user:default/ada' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'user:default/ada' is not a user name"),
    });
  });

  it.each(['production', 'staging', ''])(
    'refuses to sign anyone in when NODE_ENV is %j',
    async nodeEnvironment => {
      process.env.NODE_ENV = nodeEnvironment;
      await expect(
        authenticate({ [DEV_USER_HEADER]: 'kelsey' }),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('development only'),
      });
    },
  );
});

describe('devSignInEnabled', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });
  const config = (devUsers: Record<string, boolean>) =>
    new ConfigReader({ auth: { providers: { 'dev-users': devUsers } } });

  it('is off unless switched on explicitly', () => {
    process.env.NODE_ENV = 'development';
    expect(devSignInEnabled(new ConfigReader({}))).toBe(false);
    expect(devSignInEnabled(config({}))).toBe(false);
    expect(devSignInEnabled(config({ enabled: false }))).toBe(false);
    expect(devSignInEnabled(config({ enabled: true }))).toBe(true);
  });

  it.each(['development', 'test'])(
    'runs under NODE_ENV=%s',
    nodeEnvironment => {
      process.env.NODE_ENV = nodeEnvironment;
      expect(devSignInEnabled(config({ enabled: true }))).toBe(true);
    },
  );

  it.each(['production', 'prod', 'staging', ''])(
    'stops the backend from starting under NODE_ENV=%j when switched on',
    nodeEnvironment => {
      process.env.NODE_ENV = nodeEnvironment;
      expect(() => devSignInEnabled(config({ enabled: true }))).toThrow(
        /runs only with NODE_ENV development or test/,
      );
      // Switched off, nothing to refuse.
      expect(devSignInEnabled(config({}))).toBe(false);
    },
  );
});

describe('signInAsDevUser', () => {
  it('signs in as the catalog user of that name', async () => {
    const signInWithCatalogUser = jest.fn().mockResolvedValue({ token: 't' });
    await expect(
      signInAsDevUser({ profile: {}, result: { userName: 'rita' } }, {
        signInWithCatalogUser,
      } as never),
    ).resolves.toEqual({ token: 't' });
    expect(signInWithCatalogUser).toHaveBeenCalledWith({
      entityRef: { kind: 'User', namespace: 'default', name: 'rita' },
    });
  });

  it('names the example users when the user does not exist', async () => {
    const signInWithCatalogUser = jest
      .fn()
      .mockRejectedValue(new Error('User not found'));
    await expect(
      signInAsDevUser({ profile: {}, result: { userName: 'nobody' } }, {
        signInWithCatalogUser,
      } as never),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        "No user 'nobody' in the catalog; sign in as one of the example users",
      ),
    });
  });
});
