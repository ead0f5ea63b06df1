// A real OpenID provider for Caseworks' tests: panva's oidc-provider (OpenID Certified), with
// users and groups from the tests, a plain login form and an admin endpoint for the tests.
//
//   PORT=0 CLOCK_OFFSET_MS=0 node provider.mjs    (prints "listening <port>" when ready)
//
// Test endpoints (only this test provider has them):
//   POST /_test/users           {"id", "email", "name", "groups", "amr", "acr"}: add or replace
//   POST /_test/users/<id>/disable     the user is disabled: no sign-in, no refresh
//   POST /_test/sign            {claims}: a JWT signed with the provider's key (to craft a token
//                               the provider never issued: wrong audience, expired)
// Clients register themselves (OpenID Dynamic Client Registration, POST /reg).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

// The tests may run on a moved clock (tests/clock.py): the provider's clock moves with them.
const offset = Number(process.env.CLOCK_OFFSET_MS || 0);
if (offset) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() { return RealDate.now() + offset; }
  }
  globalThis.Date = ShiftedDate;
}

const { default: Provider } = await import('oidc-provider');
const { generateKeyPair, exportJWK, SignJWT } = await import('jose');

const users = new Map();
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const server = createServer();
server.listen(Number(process.env.PORT || 0), '127.0.0.1', async () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: [randomUUID()] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    claims: {
      // Like Entra ID and Keycloak: how the person signed in (amr, acr) in every ID token.
      openid: ['sub', 'amr', 'acr', 'auth_time', 'sid'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
    },
    // Like Entra ID and Keycloak: the requested claims (groups) in the ID token itself.
    conformIdTokenClaims: false,
    // Like Keycloak: a refresh token for every client allowed the grant.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    // The back-channel logout goes to Caseworks on 127.0.0.1, which the provider's protection
    // against server-side request forgery refuses (loopback): allowed for this test provider.
    fetch: (url, options) => {
      const { dispatcher, ...rest } = options;
      return fetch(url, rest);
    },
    ttl: { IdToken: 600, AccessToken: 600, RefreshToken: 14 * 24 * 3600 },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const user = users.get(id);
      if (!user || user.disabled) return undefined;
      return {
        accountId: id,
        async claims() {
          const [given, ...family] = (user.name || id).split(' ');
          return {
            sub: id,
            email: user.email,
            email_verified: true,
            name: user.name || id,
            given_name: given,
            family_name: family.join(' '),
            preferred_username: id,
            groups: user.groups || [],
          };
        },
      };
    },
  });

  const handler = provider.callback();
  provider.on('backchannel.error', (ctx, error, client) => {
    console.log(`backchannel.error ${client.clientId}: ${error.message} ${error.cause}`);
  });
  provider.on('backchannel.success', (ctx, client) => {
    console.log(`backchannel.success ${client.clientId}`);
  });

  async function finishConsent(req, res, details) {
    const { prompt: { details: missing }, params, session } = details;
    let grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  function loginPage(res, uid, error) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Test directory</title></head>
<body><h1>Test directory</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label>User <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>`);
  }

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname.startsWith('/_test/') && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || '{}');
        let answer = {};
        const disable = url.pathname.match(/^\/_test\/users\/([^/]+)\/disable$/);
        if (url.pathname === '/_test/users') {
          users.set(body.id, { ...body, disabled: false });
        } else if (disable) {
          const user = users.get(decodeURIComponent(disable[1]));
          if (user) user.disabled = true;
        } else if (url.pathname === '/_test/sign') {
          const token = await new SignJWT(body)
            .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
            .sign(privateKey);
          answer = { token };
        } else {
          res.statusCode = 404;
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
        return;
      }
      const interaction = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
      if (interaction) {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'consent') {
          await finishConsent(req, res, details);
        } else if (req.method === 'POST' && interaction[2]) {
          const form = new URLSearchParams(await readBody(req));
          const id = form.get('login');
          const user = users.get(id);
          if (!user || user.disabled || form.get('password') !== user.password) {
            loginPage(res, details.uid, 'Wrong user or password');
            return;
          }
          const login = { accountId: id };
          if (user.amr) login.amr = user.amr;
          if (user.acr) login.acr = user.acr;
          await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
        } else {
          loginPage(res, details.uid);
        }
        return;
      }
      handler(req, res);
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  console.log(`listening ${port}`);
});
