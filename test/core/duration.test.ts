/** The one duration format (TUI, scorecard, report) and its inverse for scorecard lines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseLeadingDuration } from '../../src/core/duration.js';

describe('formatDuration', () => {
  it('two units at most, the second zero-padded; ms below a second', () => {
    expect([850, 4_000, 45_400, 125_000, 3_720_000, 273_600_000, -2_000].map(formatDuration)).toEqual(['850ms', '4s', '45s', '2m05s', '1h02m', '3d04h', '-2s']);
  });

  it('parseLeadingDuration reads back what it wrote, to the precision shown (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 86_400_000 }), fc.constantFrom('did x', 'aws.list_keys with k: blocked'), (ms, rest) => {
        const text = formatDuration(ms);
        const back = parseLeadingDuration(`${text} ${rest}`)!;
        expect(formatDuration(back)).toBe(text);
      }),
    );
    expect(parseLeadingDuration('16m06s old scorecard line')).toBe(966_000);
    expect(parseLeadingDuration('did x 15s')).toBeUndefined();
  });
});
