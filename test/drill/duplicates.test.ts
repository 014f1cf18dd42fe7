/** A duplicate notice is the same message to the same person twice — not two different mails. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/drill/progress.js';

const msg = (to: string, subject: string, text: string, dedupeId?: string) => ({ to: [to], subject, text, dedupeId });

function progressWith(messages: ReturnType<typeof msg>[]): Progress {
  const world = { built: { credentials: new Map(), consumers: [] }, smtp: { messages }, slack: undefined, pagerduty: undefined };
  const scenario = { expect: { email: [], slack_channels: [], pagerduty: false } };
  return new Progress(world as never, scenario as never, Buffer.alloc(32), new Set());
}

describe('drill progress: duplicate notices', () => {
  it('two different mails to one address are not a duplicate; the same mail twice is', () => {
    expect(progressWith([msg('Dana@acme.test', 'Key revoked', 'a'), msg('dana@acme.test', 'Please rotate', 'b')]).duplicates()).toEqual([]);
    expect(progressWith([msg('dana@acme.test', 'Key revoked', 'a'), msg('DANA@acme.test', 'Key revoked', 'a')]).duplicates()).toEqual(['dana@acme.test ×2']);
    // the dedupe id decides when there is one (a retried send with a fresh timestamp in the text)
    expect(progressWith([msg('d@x', 'S', 'sent 10:00', 'n-1'), msg('d@x', 'S', 'sent 10:01', 'n-1'), msg('d@x', 'S', 'other', 'n-2')]).duplicates()).toEqual(['d@x ×2']);
  });
});
