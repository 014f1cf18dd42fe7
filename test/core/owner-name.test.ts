import { describe, expect, it } from 'vitest';
import { LockedError, ownerName } from '../../src/core/errors.js';

describe('the owner of an incident lock, as the operator reads it', () => {
  it('a team-mode operator (alice@soc) is not shown with its host twice', () => {
    const e = new LockedError('inc-1', { pid: 42, user: 'alice@soc', host: 'soc', startedAt: '2026-12-03T10:00:00Z' });
    expect(e.message).toContain('pid 42 (alice@soc, since');
    expect(e.message).not.toContain('alice@soc@soc');
  });

  it('a local OS user is shown as user@host', () => {
    expect(ownerName({ user: 'root', host: 'vm' })).toBe('root@vm');
    const e = new LockedError('inc-1', { pid: 7, user: 'root', host: 'vm', startedAt: '2026-12-03T10:00:00Z' });
    expect(e.message).toContain('pid 7 (root@vm, since');
  });
});
