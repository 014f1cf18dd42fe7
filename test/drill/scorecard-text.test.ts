/** The text scorecard: one clean heading, finished or not; rotate counted by the step that rotates. */
import { describe, expect, it } from 'vitest';
import { computeScorecard, formatScorecard, type ScorecardInput } from '../../src/drill/scorecard.js';

const input = (o: Partial<ScorecardInput> = {}): ScorecardInput => ({
  scenario: 'slack-token-leak',
  seed: 1618,
  speed: 10,
  status: 'done',
  times: { detect: 1000, contain: 2000, notify: 3000 },
  leaked: 1,
  leakedDead: 1,
  leakedDetected: 1,
  consumers: 0,
  consumersRotated: 0,
  adversary: [],
  adversaryPending: 0,
  persistence: 0,
  state: undefined,
  notifyMissing: [],
  duplicates: [],
  duplicateEffects: [],
  compensatedEffects: [],
  faults: [],
  faultsInjected: {},
  refused: 0,
  previous: [],
  ...o,
});

describe('formatScorecard', () => {
  it('an unfinished drill: one heading that says so inside its rules', () => {
    const [head] = formatScorecard(computeScorecard(input({ status: 'waiting' })), { final: false });
    expect(head).toBe('── Drill scorecard so far (the drill is not over) — slack-token-leak (seed 1618, drill time) ──');
  });
  it('a finished drill: the plain heading', () => {
    const [head] = formatScorecard(computeScorecard(input()), { final: true });
    expect(head).toBe('── Drill scorecard — slack-token-leak (seed 1618, drill time) ──');
  });
});
