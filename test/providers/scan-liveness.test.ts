/**
 * Liveness checks against local servers that follow the documented contracts
 * (PROVIDERS.md: HF whoami-v2, GitHub GET /user, Slack auth.test) and against moto_server for
 * AWS STS GetCallerIdentity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import scan from '../../src/providers/scan/index.js';
import { checkAws } from '../../src/providers/scan/liveness.js';
import { gen, scanContext, tempDir, writeTree } from './helpers-scan.js';

const files = scan.actions.files!;
const live = scan.actions.checkLiveness!;

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push(`${req.method} ${req.url}`);
    handler(req, body, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}
const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('scan.checkLiveness against HF, GitHub and Slack contracts', () => {
  const tok = { hfLive: gen.hf(), hfDead: gen.hf(), hfLimited: gen.hf(), ghLive: gen.ghp(), ghDead: gen.ghp(), slackLive: gen.slack(), slackRevoked: gen.slack(), slackInvalid: gen.slack(), openai: gen.openai() };
  const t = tempDir();
  let hf: Awaited<ReturnType<typeof serve>>, gh: typeof hf, slack: typeof hf;

  beforeAll(async () => {
    hf = await serve((req, _b, res) => {
      if (req.method !== 'GET' || req.url !== '/api/whoami-v2') return sendJson(res, 404, { error: 'not found' }, { 'x-error-code': 'RepoNotFound' });
      const b = bearer(req);
      if (b === tok.hfLimited) return sendJson(res, 429, { error: 'rate limited' }, { ratelimit: '"api";r=0;t=42' });
      if (b !== tok.hfLive) return sendJson(res, 401, { error: 'Invalid credentials in Authorization header' }, { 'x-error-message': 'Invalid credentials in Authorization header' });
      sendJson(res, 200, { type: 'user', name: 'alice', orgs: [], auth: { type: 'access_token', accessToken: { displayName: 'ci', role: 'write', createdAt: '2024-05-01T00:00:00Z' } } });
    });
    gh = await serve((req, _b, res) => {
      if (req.method !== 'GET' || req.url !== '/user') return sendJson(res, 404, { message: 'Not Found' });
      if (req.headers['x-github-api-version'] !== '2022-11-28') return sendJson(res, 400, { message: 'bad version' });
      if (bearer(req) !== tok.ghLive) return sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      sendJson(res, 200, { login: 'octocat', id: 1 }, { 'x-oauth-scopes': 'repo, read:org' });
    });
    slack = await serve((req, _b, res) => {
      if (req.method !== 'POST' || req.url !== '/api/auth.test') return sendJson(res, 404, { ok: false, error: 'unknown_method' });
      const b = bearer(req);
      if (b === tok.slackLive) return sendJson(res, 200, { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'bot', team_id: 'T1', user_id: 'U1' });
      sendJson(res, 200, { ok: false, error: b === tok.slackRevoked ? 'token_revoked' : 'invalid_auth' });
    });
    writeTree(t.dir, { 'leak.env': Object.entries(tok).map(([k, v]) => `${k}=${v}`).join('\n') + '\n' });
  });
  afterAll(async () => {
    await Promise.all([hf.close(), gh.close(), slack.close()]);
    t.cleanup();
  });

  it('marks each finding live, dead or unknown through its service', async () => {
    const s = scanContext('files', {});
    const found = await files.run(s.ctx, { paths: [t.dir] });
    expect(found.findings).toHaveLength(Object.keys(tok).length);
    const config = { hf_url: hf.url, github_url: `${gh.url}/`, slack_url: slack.url };
    const c = scanContext('checkLiveness', config);
    const out = await live.run(c.ctx, live.input.parse({ findings: found.findings }));
    const status = Object.fromEntries(Object.entries(tok).map(([k, v]) => [k, out.findings.find((f: any) => f.token.reveal() === v)?.liveness]));
    expect(status).toEqual({
      hfLive: 'live', hfDead: 'dead', hfLimited: 'unknown', ghLive: 'live', ghDead: 'dead',
      slackLive: 'live', slackRevoked: 'dead', slackInvalid: 'dead', openai: 'unknown',
    });
    expect(out).toMatchObject({ live: 3, dead: 4, unknown: 2 });
    const detail = (v: string) => out.findings.find((f: any) => f.token.reveal() === v)!.liveness_detail;
    expect(detail(tok.hfLive)).toBe('token is valid for alice (role write)');
    expect(detail(tok.hfLimited)).toMatch(/rate limited.*429.*retry after 42 s/);
    expect(detail(tok.ghLive)).toContain('scopes: repo, read:org');
    expect(detail(tok.slackRevoked)).toBe('Slack says token_revoked');
    expect(live.output.safeParse(out).success).toBe(true);
    expect(hf.seen.filter((x) => x === 'GET /api/whoami-v2')).toHaveLength(3);
    for (const text of [JSON.stringify(out), ...c.log.lines, JSON.stringify(c.evidence)]) for (const v of Object.values(tok)) expect(text).not.toContain(v);
  });

  it('checks GitHub secret-scanning alerts as they come from the alerts API (secret, secret_type), keeping the alert', async () => {
    const c = scanContext('checkLiveness', { github_url: gh.url, hf_url: hf.url });
    const alert = (n: number, v: string, type: string) => ({ repo: 'acme/api', number: n, state: 'open', secret_type: type, html_url: `https://github.com/acme/api/security/secret-scanning/${n}`, secret: c.ctx.secret(v, `alert ${n}`) });
    // an alert for an HF token: its provider comes from the value's shape in the kind table
    const input = live.input.parse({ findings: [alert(1, tok.ghLive, 'github_personal_access_token'), alert(2, tok.ghDead, 'github_personal_access_token'), alert(3, tok.hfLive, 'hf_user_access_token')] });
    const out = await live.run(c.ctx, input);
    expect(out).toMatchObject({ live: 2, dead: 1, unknown: 0 });
    expect(out.live_findings.map((f: any) => [f.number, f.provider_hint])).toEqual([[1, 'github'], [3, 'huggingface']]);
    expect(out.dead_findings.map((f: any) => [f.repo, f.number, f.html_url])).toEqual([['acme/api', 2, 'https://github.com/acme/api/security/secret-scanning/2']]);
    expect(c.log.lines.join('\n')).toMatch(/alert acme\/api#2 …\S{4}: dead/);
    expect(live.output.safeParse(out).success).toBe(true);
    // an item with neither value is refused with what is missing
    expect(live.input.safeParse({ findings: [{ repo: 'acme/api', number: 4 }] }).error?.issues[0]?.message).toMatch(/`token`.*`secret`/);
    for (const text of [JSON.stringify(out), ...c.log.lines]) for (const v of [tok.ghLive, tok.ghDead, tok.hfLive]) expect(text).not.toContain(v);
  });

  it('a service that cannot be reached gives unknown, never an exception', async () => {
    const down = await serve(() => undefined);
    await down.close();
    const c = scanContext('checkLiveness', { hf_url: down.url });
    const token = c.ctx.secret(tok.hfLive, 'x');
    const out = await live.run(c.ctx, { findings: [{ token, provider_hint: 'huggingface' }] });
    expect(out.findings[0]).toMatchObject({ liveness: 'unknown', liveness_detail: expect.stringContaining('connection refused') });
    expect(JSON.stringify(out)).not.toContain(tok.hfLive);
  });

  it('rate limits, 5xx, 404 and timeouts are unknown with a reason; the token never appears', async () => {
    let mode = '';
    const flaky = await serve((_req, _b, res) => {
      if (mode === 'hang') return;
      if (mode === 'ratelimit') return sendJson(res, 403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) });
      if (mode === '429') return sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '7' });
      if (mode === '404') return sendJson(res, 404, { message: 'Not Found' });
      sendJson(res, 500, { message: `server error echoing ${bearer(_req)}` });
    });
    try {
      const c = scanContext('checkLiveness', { github_url: flaky.url, slack_url: flaky.url, hf_url: flaky.url }, undefined, 300);
      const token = c.ctx.secret(tok.ghLive, 'x');
      const check = async (hint: 'github' | 'huggingface') => (await live.run(c.ctx, { findings: [{ token, provider_hint: hint }] })).findings[0]!;
      const cases: [string, 'github' | 'huggingface', RegExp][] = [
        ['ratelimit', 'github', /^GitHub rate limited the check \(HTTP 403\); retry after (59|60) s$/],
        ['429', 'huggingface', /^Hugging Face rate limited the check \(HTTP 429\); retry after 7 s$/],
        ['500', 'github', /^GitHub answered HTTP 500$/],
        ['404', 'huggingface', /^Hugging Face answered HTTP 404$/],
        ['hang', 'github', /timed out/],
      ];
      for (const [m, hint, detail] of cases) {
        mode = m;
        const f = await check(hint);
        expect(f.liveness, m).toBe('unknown');
        expect(f.liveness_detail, m).toMatch(detail);
        expect(JSON.stringify(f), m).not.toContain(tok.ghLive);
      }
      for (const line of c.log.lines) expect(line).not.toContain(tok.ghLive);
    } finally {
      await flaky.close();
    }
  });

  it('plans the calls without making them', async () => {
    const c = scanContext('checkLiveness', { hf_url: hf.url });
    const before = hf.seen.length;
    const token = c.ctx.secret(tok.hfLive, 'x');
    const lines = await live.plan!(c.ctx, { findings: [{ token, provider_hint: 'huggingface' }, { token, provider_hint: 'generic' }] });
    expect(lines).toEqual([`GET ${hf.url}/api/whoami-v2 for 1 Hugging Face token(s)`, '1 finding(s) without a liveness check are reported as unknown']);
    expect(hf.seen.length).toBe(before);
  });
});

function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}
const motoBin = findBinary('moto_server');
if (!motoBin) console.warn('SKIPPED: AWS liveness tests need moto_server on PATH (pip install "moto[server]")');

describe.skipIf(!motoBin)('scan.checkLiveness against moto_server (AWS STS)', () => {
  let moto: ChildProcess;
  let endpoint = '';
  const admin = { accessKeyId: 'AKIA' + 'ADMINBOOTSTRAP01', secretAccessKey: 'bootstrap'.padEnd(40, 'x') };
  let keyA: { id: string; secret: string };
  let keyB: { id: string; secret: string };

  beforeAll(async () => {
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    // moto enforces IAM auth after the first 4 actions: the bootstrap calls below
    moto = spawn(motoBin!, ['-H', '127.0.0.1', '-p', String(port)], { env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '4' }, stdio: 'ignore' });
    endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (moto.exitCode !== null) throw new Error('moto_server exited during start');
      if (await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error('moto_server did not answer within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: admin });
    await iam.send(new CreateUserCommand({ UserName: 'leaky' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'leaky', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
    const a = (await iam.send(new CreateAccessKeyCommand({ UserName: 'leaky' }))).AccessKey!;
    const b = (await iam.send(new CreateAccessKeyCommand({ UserName: 'leaky' }))).AccessKey!;
    keyA = { id: a.AccessKeyId!, secret: a.SecretAccessKey! };
    keyB = { id: b.AccessKeyId!, secret: b.SecretAccessKey! };
  });
  afterAll(() => {
    moto?.kill('SIGTERM');
  });

  it('a key pair found in a file is live; after deletion it is dead; an unknown key is dead', async () => {
    const t = tempDir();
    try {
      writeTree(t.dir, { 'credentials': `[leaky]\naws_access_key_id = ${keyA.id}\naws_secret_access_key = ${keyA.secret}\n` });
      const found = await files.run(scanContext('files', {}).ctx, { paths: [t.dir] });
      expect(found.findings).toHaveLength(2);
      const c = scanContext('checkLiveness', { aws_endpoint: endpoint });
      const first = await live.run(c.ctx, { findings: found.findings });
      expect(first.findings.map((f: any) => f.liveness)).toEqual(['live', 'live']);
      expect(first.findings[0].liveness_detail).toContain('user/leaky');

      // revoke key A with key B (a real IAM call, authenticated and authorised by moto)
      const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: keyB.id, secretAccessKey: keyB.secret } });
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'leaky', AccessKeyId: keyA.id }));
      const after = await live.run(c.ctx, { findings: found.findings });
      expect(after.findings.map((f: any) => [f.liveness, f.liveness_detail])).toEqual([
        ['dead', 'AWS says InvalidClientTokenId'],
        ['dead', 'AWS says InvalidClientTokenId'],
      ]);
      for (const text of [JSON.stringify(first), JSON.stringify(after), ...c.log.lines]) {
        expect(text).not.toContain(keyA.secret);
      }
      // the key id is an identifier: carried in full so two keys can be told apart
      expect(JSON.stringify(first)).toContain(keyA.id);
    } finally {
      t.cleanup();
    }
  });

  it('an unknown key id is dead; a key id without its secret is unknown; a wrong secret is unknown', async () => {
    const { ctx } = scanContext('checkLiveness', {});
    const s = (v: string) => ctx.secret(v, 'k');
    expect((await checkAws(ctx, s(gen.awsId()), s(gen.awsSecret()), { endpoint })).status).toBe('dead');
    expect((await checkAws(ctx, s(keyB.id), undefined, { endpoint })).status).toBe('unknown');
    const wrong = await checkAws(ctx, s(keyB.id), s(gen.awsSecret()), { endpoint });
    expect(wrong).toEqual({ status: 'unknown', detail: expect.stringContaining('SignatureDoesNotMatch') });
  });
});
