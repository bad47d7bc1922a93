/**
 * A test LMS platform on loopback (node:http, no mocks): its own RSA keys and JWKS, an OIDC
 * authorisation endpoint that answers the tool's login redirect with a form-posted id_token,
 * a token endpoint that verifies the tool's client assertion against the tool's own /lti/jwks,
 * line items and score endpoints that record what arrives, a paged memberships endpoint, and a
 * dynamic registration flow (openid-configuration + registration endpoint).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

export interface PlatformKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface ScoreReceived {
  lineItem: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

export interface Member {
  user_id: string;
  roles: string[];
  name?: string;
  email?: string;
  status?: string;
}

/** What the next launch asserts, keyed by login_hint: the claims, and ways to spoil the token. */
export interface LaunchPlan {
  claims: Record<string, unknown>;
  /** Sign with this key instead of the current one (its kid in the header). */
  key?: PlatformKey;
  /** Replace the nonce, aud, iss, exp… after the defaults. */
  override?: (payload: JWTPayload) => JWTPayload;
  /** Corrupt the signature. */
  badSignature?: boolean;
}

export async function newPlatformKey(): Promise<PlatformKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const c of req) body += (c as Buffer).toString('utf8');
  return body;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class TestPlatform {
  private server: Server | undefined;
  origin = '';
  clientId = `client-${randomBytes(4).toString('hex')}`;
  deploymentId = 'deployment-1';
  registrationToken = `regtok-${randomBytes(8).toString('hex')}`;
  keys: PlatformKey[] = [];
  /** The keys the JWKS endpoint lists (default: all). */
  publishedKids: string[] | undefined;
  toolOrigin = '';
  private toolKeys: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly plans = new Map<string, LaunchPlan>();
  readonly authRequests: URLSearchParams[] = [];
  readonly tokenRequests: { scope: string; kid: string | undefined }[] = [];
  readonly tokenFailures: string[] = [];
  readonly issuedTokens = new Map<string, string>();
  readonly registrations: Record<string, unknown>[] = [];
  readonly scores: ScoreReceived[] = [];
  readonly lineItems = new Map<string, Record<string, unknown>>();
  jwksFetches = 0;
  /** Score POSTs answered 500 while this is > 0 (counted down), or all while `down`. */
  failScores = 0;
  down = false;
  members: Member[] = [];
  pageSize = 2;
  /** What the openid-configuration says the issuer is (default: this origin). */
  configuredIssuer: string | undefined;

  get issuer(): string {
    return this.origin;
  }
  get tokenUrl(): string {
    return `${this.origin}/token`;
  }

  async start(): Promise<this> {
    this.keys.push(await newPlatformKey());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    this.origin = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
    return this;
  }

  setTool(toolOrigin: string): void {
    this.toolOrigin = toolOrigin;
    this.toolKeys = createRemoteJWKSet(new URL(`${toolOrigin}/lti/jwks`), { cooldownDuration: 0, cacheMaxAge: 0 });
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  /** The claims of a launch as a platform sends them. */
  resourceLinkClaims(o: {
    sub: string;
    roles: string[];
    context?: string;
    resourceLink?: string;
    custom?: Record<string, string>;
    lineitem?: string;
    name?: string;
    email?: string;
  }): Record<string, unknown> {
    const context = o.context ?? 'course-1';
    return {
      sub: o.sub,
      name: o.name ?? `Person ${o.sub}`,
      email: o.email ?? `${o.sub}@lms.example.org`,
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: this.deploymentId,
      [`${LTI}target_link_uri`]: `${this.toolOrigin}/lti/launch`,
      [`${LTI}resource_link`]: { id: o.resourceLink ?? 'link-1', title: 'Midterm' },
      [`${LTI}roles`]: o.roles,
      [`${LTI}context`]: { id: context, title: `LMS ${context}`, label: context },
      ...(o.custom ? { [`${LTI}custom`]: o.custom } : {}),
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitems: `${this.origin}/contexts/${context}/lineitems`,
        ...(o.lineitem ? { lineitem: o.lineitem } : {}),
      },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
        context_memberships_url: `${this.origin}/contexts/${context}/memberships`,
        service_versions: ['2.0'],
      },
    };
  }

  deepLinkingClaims(o: { sub: string; roles: string[]; context?: string; data?: string }): Record<string, unknown> {
    const base = this.resourceLinkClaims({ ...o });
    delete base[`${LTI}resource_link`];
    return {
      ...base,
      [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
      'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
        deep_link_return_url: `${this.origin}/deep-link-return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        ...(o.data ? { data: o.data } : {}),
      },
    };
  }

  readonly deepLinkResponses: JWTPayload[] = [];

  /** An id_token for the plan, with the nonce the tool's login sent. */
  async idToken(plan: LaunchPlan, nonce: string): Promise<string> {
    const key = plan.key ?? this.keys[this.keys.length - 1];
    const now = Math.floor(Date.now() / 1000);
    let payload: JWTPayload = { iss: this.issuer, aud: this.clientId, iat: now, exp: now + 300, nonce, ...plan.claims };
    if (plan.override) payload = plan.override(payload);
    const jwt = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    if (!plan.badSignature) return jwt;
    const [h, p, s] = jwt.split('.');
    return `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private bearerScopes(req: IncomingMessage): string | undefined {
    const h = req.headers.authorization ?? '';
    return h.startsWith('Bearer ') ? this.issuedTokens.get(h.slice(7)) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return this.json(res, 200, {
        issuer: this.configuredIssuer ?? this.issuer,
        authorization_endpoint: `${this.origin}/auth`,
        token_endpoint: this.tokenUrl,
        jwks_uri: `${this.origin}/jwks`,
        registration_endpoint: `${this.origin}/register`,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        scopes_supported: ['openid'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'iss', 'name', 'email'],
        'https://purl.imsglobal.org/spec/lti-platform-configuration': {
          product_family_code: 'quizgrad-test',
          version: '1',
          messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
        },
      });
    }
    if (req.method === 'POST' && path === '/register') {
      if (req.headers.authorization !== `Bearer ${this.registrationToken}`) return this.json(res, 401, { error: 'invalid registration token' });
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      this.registrations.push(body);
      return this.json(res, 200, {
        ...body,
        client_id: this.clientId,
        'https://purl.imsglobal.org/spec/lti-tool-configuration': {
          ...(body['https://purl.imsglobal.org/spec/lti-tool-configuration'] as object),
          deployment_id: this.deploymentId,
        },
      });
    }
    if (req.method === 'GET' && path === '/jwks') {
      this.jwksFetches++;
      const keys = this.keys.filter((k) => !this.publishedKids || this.publishedKids.includes(k.kid)).map((k) => k.publicJwk);
      return this.json(res, 200, { keys });
    }
    if (req.method === 'GET' && path === '/auth') {
      const q = url.searchParams;
      this.authRequests.push(q);
      const ok =
        q.get('scope') === 'openid' &&
        q.get('response_type') === 'id_token' &&
        q.get('response_mode') === 'form_post' &&
        q.get('prompt') === 'none' &&
        q.get('client_id') === this.clientId &&
        q.get('redirect_uri') === `${this.toolOrigin}/lti/launch`;
      const plan = this.plans.get(q.get('login_hint') ?? '');
      if (!ok || !plan) return this.json(res, 400, { error: 'invalid_request' });
      const idToken = await this.idToken(plan, q.get('nonce') ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      // A platform's own page (no CSP of the tool's applies here): the usual auto-submitting form.
      res.end(
        `<!doctype html><html lang="en"><title>Launching</title><body><form id="f" method="post" action="${escape(q.get('redirect_uri') ?? '')}">` +
          `<input type="hidden" name="id_token" value="${escape(idToken)}"><input type="hidden" name="state" value="${escape(q.get('state') ?? '')}">` +
          `</form><script>document.getElementById('f').submit()</script></body></html>`,
      );
      return;
    }
    if (req.method === 'POST' && path === '/token') {
      const form = new URLSearchParams(await readBody(req));
      try {
        if (form.get('grant_type') !== 'client_credentials') throw new Error('grant_type');
        if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('client_assertion_type');
        if (!this.toolKeys) throw new Error('no tool');
        const { payload, protectedHeader } = await jwtVerify(form.get('client_assertion') ?? '', this.toolKeys, {
          issuer: this.clientId,
          subject: this.clientId,
          audience: this.tokenUrl,
          algorithms: ['RS256'],
          requiredClaims: ['jti', 'exp', 'iat'],
        });
        if (!payload.jti) throw new Error('jti');
        const scope = form.get('scope') ?? '';
        this.tokenRequests.push({ scope, kid: protectedHeader.kid });
        const token = randomUUID();
        this.issuedTokens.set(token, scope);
        return this.json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope });
      } catch (err) {
        this.tokenFailures.push(err instanceof Error ? err.message : String(err));
        return this.json(res, 401, { error: 'invalid_client' });
      }
    }
    const lineItems = /^\/contexts\/([^/]+)\/lineitems$/.exec(path);
    if (req.method === 'POST' && lineItems) {
      if (!this.bearerScopes(req)?.includes('lti-ags/scope/lineitem')) return this.json(res, 401, { error: 'scope' });
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const id = `${this.origin}/contexts/${lineItems[1]}/lineitems/${randomBytes(4).toString('hex')}`;
      this.lineItems.set(id, body);
      return this.json(res, 201, { ...body, id }, { 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' });
    }
    const scores = /^(\/contexts\/[^/]+\/lineitems\/[^/]+)\/scores$/.exec(path);
    if (req.method === 'POST' && scores) {
      if (!this.bearerScopes(req)?.includes('lti-ags/scope/score')) return this.json(res, 401, { error: 'scope' });
      const body = await readBody(req);
      if (this.down || this.failScores > 0) {
        this.failScores = Math.max(0, this.failScores - 1);
        return this.json(res, 500, { error: 'down' });
      }
      this.scores.push({ lineItem: `${this.origin}${scores[1]}`, contentType: req.headers['content-type'], body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(204);
      res.end();
      return;
    }
    const memberships = /^\/contexts\/([^/]+)\/memberships$/.exec(path);
    if (req.method === 'GET' && memberships) {
      if (!this.bearerScopes(req)?.includes('contextmembership.readonly')) return this.json(res, 401, { error: 'scope' });
      const page = Number(url.searchParams.get('page') ?? '0');
      const slice = this.members.slice(page * this.pageSize, (page + 1) * this.pageSize);
      const more = (page + 1) * this.pageSize < this.members.length;
      return this.json(
        res,
        200,
        { id: url.toString(), context: { id: memberships[1] }, members: slice },
        {
          'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
          ...(more ? { link: `<${this.origin}${path}?page=${page + 1}>; rel="next"` } : {}),
        },
      );
    }
    if (req.method === 'GET' && path === '/course') {
      // A course page of the platform that shows the tool in an iframe (the browser suite).
      const frame = url.searchParams.get('frame') ?? '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS course</title></head><body><main><h1>LMS course page</h1>` +
          `<iframe title="quizgrad activity" src="${escape(frame)}" style="width:100%;height:640px;border:1px solid #888"></iframe></main></body></html>`,
      );
      return;
    }
    if (req.method === 'POST' && path === '/deep-link-return') {
      const form = new URLSearchParams(await readBody(req));
      const { payload } = await jwtVerify(form.get('JWT') ?? '', this.toolKeysOrThrow(), {
        issuer: this.clientId,
        audience: this.issuer,
        algorithms: ['RS256'],
      });
      this.deepLinkResponses.push(payload);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>Added</title><body><main><h1>Content added</h1></main></body></html>');
      return;
    }
    this.json(res, 404, { error: 'not found' });
  }

  private toolKeysOrThrow() {
    if (!this.toolKeys) throw new Error('no tool');
    return this.toolKeys;
  }
}
