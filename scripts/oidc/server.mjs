// A real OpenID Connect provider for the tests (the `oidc-provider` package,
// certified by the OpenID Foundation), on 127.0.0.1:<port>:
//
//   node scripts/oidc/server.mjs <port> <redirect uri> <client id> <client secret>
//
// Anyone may sign in with any login name and password (its development login
// form); the account's email is <login>@acme.example, so `ada` is the catalog
// user ada (examples/org.yaml) and `mallory` is nobody the catalog knows.
// Consent is given for the one client. Prints "oidc: ready <issuer>" once
// listening.
import Provider from 'oidc-provider';
import { randomBytes } from 'node:crypto';

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
if (!port || !redirectUri || !clientId || !clientSecret) {
  console.error(
    'usage: node scripts/oidc/server.mjs <port> <redirect uri> <client id> <client secret>',
  );
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: { devInteractions: { enabled: true } },
  // Like most company providers: a refresh token with every sign-in, so the
  // portal's session survives a page reload.
  async issueRefreshToken(_ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  async findAccount(_ctx, login) {
    return {
      accountId: login,
      async claims() {
        return {
          sub: login,
          email: `${login}@acme.example`,
          email_verified: true,
          name: login,
        };
      },
    };
  },
  // First-party client: consent is implied, no consent page.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId ||
      ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile offline_access');
    await grant.save();
    return grant;
  },
});

provider.on('server_error', (_ctx, error) => console.error('oidc:', error));
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc: ready ${issuer}`);
});
