/**
 * A runbook that talks to an Okta-style API with the http provider alone (no curl): a paginated
 * list of a user's app tokens (Link rel="next"), a for_each over result.items, and a POST whose
 * created credential comes back in the whole body. The journal holds the created value only as
 * a fingerprint, in the body too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { runEngine, workspace } from '../engine/helpers.js';
import { randomAlnum } from './helpers-notify.js';

const apiToken = randomAlnum(40);
const created = `adm_${randomAlnum(32)}`;
const tokens = Array.from({ length: 5 }, (_, i) => ({ id: `tok${i}`, clientName: `app-${i}` }));
const revoked: string[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', base);
    const send = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.headers.authorization !== `SSWS ${apiToken}`) return send(401, { errorCode: 'E0000011' });
    if (req.method === 'GET' && u.pathname === '/api/v1/users/u1/grants') {
      const after = Number(u.searchParams.get('after') ?? 0);
      const rows = tokens.slice(after, after + 2);
      const links = [`<${base}${u.pathname}?${u.searchParams}>; rel="self"`];
      if (after + 2 < tokens.length) links.push(`<${base}${u.pathname}?after=${after + 2}&limit=2>; rel="next"`);
      return send(200, rows, { link: links });
    }
    const m = /^\/api\/v1\/users\/u1\/grants\/(\w+)$/.exec(u.pathname);
    if (req.method === 'GET' && m) return revoked.includes(m[1]!) ? send(404, { errorCode: 'E0000007' }) : send(200, tokens.find((t) => t.id === m[1]));
    if (req.method === 'DELETE' && m) {
      revoked.push(m[1]!);
      return send(204, undefined);
    }
    if (req.method === 'POST' && u.pathname === '/api/v1/service-keys') return send(201, { id: 'sk1', key: created, status: 'ACTIVE' });
    send(404, { errorCode: 'E0000007' });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const yaml = () => `version: 1
id: okta-grants
title: Revoke a user's grants
inputs:
  okta: { type: string, required: true }
secrets:
  okta_token: { from: env, env: OKTA_API_TOKEN }
providers:
  okta:
    type: http
    headers: { Authorization: "SSWS \${{ secrets.okta_token }}" }
steps:
  - id: list
    kind: detect
    title: List the user's grants
    uses: okta.request
    with:
      url: \${{ inputs.okta }}/api/v1/users/u1/grants?limit=2
      paginate: { link: true }
      pick: { names: "*.clientName" }
  - id: revoke
    kind: revoke
    title: Revoke \${{ item.clientName }}
    confirm: false
    for_each: \${{ steps.list.outputs.items }}
    uses: okta.request
    with:
      method: DELETE
      url: \${{ inputs.okta }}/api/v1/users/u1/grants/\${{ item.id }}
      expect: [204]
      verify: { url: "\${{ inputs.okta }}/api/v1/users/u1/grants/\${{ item.id }}", done: [404], not_done: [200] }
  - id: replace
    kind: rotate
    title: Create a service key
    confirm: false
    uses: okta.request
    with:
      method: POST
      url: \${{ inputs.okta }}/api/v1/service-keys
      json: { name: replacement }
      body: true
      pick_secret: { key: key }
`;

describe('a runbook on the http provider alone', () => {
  it('pages through a list, fans out over result.items, and journals a created key only as a fingerprint', async () => {
    const w = workspace();
    const secrets = new SecretRegistry();
    const { result, journal } = await runEngine({
      yaml: yaml(),
      dir: w.dir,
      stateDir: w.stateDir,
      inputs: { okta: base },
      secrets,
      resolveSecrets: async () => ({ okta_token: secrets.create(apiToken, 'secrets.okta_token') }),
    });
    expect(result, JSON.stringify(result)).toMatchObject({ status: "done" });
    expect(revoked).toEqual(tokens.map((t) => t.id));
    const text = readFileSync(join(w.stateDir, 'incidents', 'inc-1', 'journal.jsonl'), 'utf8');
    expect(text).not.toContain(created);
    expect(text).not.toContain(apiToken);
    const finished = journal.read().filter((r) => r.type === 'step.finished') as unknown as { step: string; outputs: Record<string, any> }[];
    const list = finished.find((r) => r.step === 'list')!.outputs;
    expect(list.pages).toBe(3);
    expect(list.values.names).toEqual(tokens.map((t) => t.clientName));
    const replace = finished.find((r) => r.step === 'replace')!.outputs;
    expect(replace.body).toMatchObject({ id: 'sk1', status: 'ACTIVE', key: { $secret: 'okta.key' } });
  });
});
