/**
 * Leftover: the HF, GitHub and Slack simulators stamped what they create or change with the
 * wall clock, while a drill runs on its own clock (the AWS simulator's world.now). They now stamp
 * with the clock the drill gives them (`useClock`, set by src/drill/session.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { startSlackSimulator } from '../../src/drill/simulators/slack.js';
import { startGitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { world, hfToken } from '../providers/huggingface-fixtures.js';

const DRILL_NOW = Date.parse('2024-05-31T10:17:00.000Z');
const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('simulators stamp with the drill clock', () => {
  it("Hugging Face: a secret's updatedAt", async () => {
    const w = world();
    const sim = await startHuggingFaceSimulator({ seed: w.seed });
    closers.push(() => sim.close());
    sim.useClock(() => DRILL_NOW);
    const auth = { authorization: `Bearer ${w.t.operator}`, 'content-type': 'application/json' };
    const set = await fetch(`${sim.url}/api/spaces/alice/chat/secrets`, { method: 'POST', headers: auth, body: JSON.stringify({ key: 'HF_TOKEN', value: hfToken() }) });
    expect(set.status).toBe(200);
    expect(sim.state.spaces.get('alice/chat')?.secrets.HF_TOKEN?.updatedAt).toBe('2024-05-31T10:17:00.000Z');
  });

  it('Slack: a message ts is drill time', async () => {
    const sim = await startSlackSimulator();
    closers.push(() => sim.close());
    sim.useClock(() => DRILL_NOW);
    const token = `xoxb-${'1'.repeat(10)}-${'2'.repeat(12)}-${'a'.repeat(24)}`;
    sim.addToken(token, { bot_id: 'B1', user: 'bot' });
    const ch = sim.addChannel('incidents').id;
    const res = await fetch(`${sim.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ channel: ch, text: 'hi' }) });
    const body = (await res.json()) as { ok: boolean; ts: string };
    expect(body.ok).toBe(true);
    expect(Math.floor(Number(body.ts))).toBe(DRILL_NOW / 1000);
  });

  it("GitHub: the Date header is the drill's", async () => {
    const sim = await startGitHubSimulator();
    closers.push(() => sim.close());
    sim.useClock(() => DRILL_NOW);
    const res = await fetch(`${sim.url}/rate_limit`);
    expect(res.headers.get('date')).toBe(new Date(DRILL_NOW).toUTCString());
  });
});
