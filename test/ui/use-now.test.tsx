/**
 * Issue 15 item 3: the TUI's clocks share one timer per period — the header's incident clock
 * and a running step's "running for" move in one commit (one frame) per tick, not one each.
 */
import { Profiler } from 'react';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { useNow } from '../../src/ui/hooks/use-now.js';
import { waitFor } from './helpers.js';

const seen: Record<string, number> = {};
function Clock({ name, ms }: { name: string; ms: number }) {
  const now = useNow(ms);
  seen[name] = now;
  return <Text>{`${name} ${now}`}</Text>;
}

describe('useNow', () => {
  it('clocks of the same period tick in the same commit, with the same time', async () => {
    const commits: { a: number; b: number }[] = [];
    const ui = render(
      <Profiler id="clocks" onRender={() => commits.push({ a: seen.a!, b: seen.b! })}>
        <Clock name="a" ms={40} />
        <Clock name="b" ms={40} />
      </Profiler>,
    );
    const start = { ...seen };
    await waitFor(() => commits.length >= 4 && seen.a !== start.a && seen.b !== start.b, 'three ticks');
    ui.unmount();
    // after the first (mount) commit, every commit moved both clocks to the same time
    for (const c of commits.slice(1)) expect(c.a).toBe(c.b);
  });
});
