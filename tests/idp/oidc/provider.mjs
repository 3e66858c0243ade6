// A real OpenID provider (node-oidc-provider) standing in for ProConnect, for the tests and the
// demo federation. Never for production.
//
//   node provider.mjs '<json config>'
//   config: {port (0 = ephemeral), client_id, client_secret, redirect_uris, post_logout_redirect_uris,
//            accounts: {login: {email, given_name, usual_name, siret, uid}}}
//
// Prints "LISTENING <issuer>" once it serves. The issuer is http://127.0.0.1:<port>.
// Sign-in uses the provider's own development interactions (any login among `accounts`, any
// password); consent is granted automatically. POST /__test/mode {"mode": …} makes the next token
// responses misbehave as a faulty provider would: "wrong_aud", "expired", "bad_signature",
// "wrong_nonce", "slow_token" (answers after 5 s); "" restores normal behaviour. POST /__test/accounts
// replaces the accounts (a changed attribute between two sign-ins).
import { generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import * as jose from "jose";
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2] || "{}");
let accounts = config.accounts || {};
let mode = "";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "passerelle-test", use: "sig", alg: "RS256" };
const rogue = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

const server = http.createServer();
await new Promise((resolve) => server.listen(config.port || 0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const SCOPES = "openid email given_name usual_name siret uid";
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      post_logout_redirect_uris: config.post_logout_redirect_uris || [],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomUUID()] },
  pkce: { required: () => true },
  scopes: SCOPES.split(" "),
  claims: {
    openid: ["sub"],
    email: ["email"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
    siret: ["siret"],
    uid: ["uid"],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

// Faulty-provider modes: re-sign the ID token of the token response as a broken provider would.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || ctx.method !== "POST" || !mode || !ctx.body?.id_token) return;
  if (mode === "slow_token") {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return;
  }
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (mode === "wrong_aud") claims.aud = "another-service";
  if (mode === "expired") Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === "wrong_nonce") claims.nonce = "not-the-nonce-that-was-sent";
  const key = mode === "bad_signature" ? rogue : privateKey;
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .sign(key),
  };
});

const callback = provider.callback();
server.on("request", (req, res) => {
  if (req.url.startsWith("/__test/") && req.method === "POST") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const data = JSON.parse(body || "{}");
      if (req.url === "/__test/mode") mode = data.mode || "";
      if (req.url === "/__test/accounts") accounts = data.accounts || {};
      res.writeHead(204);
      res.end();
    });
    return;
  }
  callback(req, res);
});
console.log(`LISTENING ${issuer}`);
