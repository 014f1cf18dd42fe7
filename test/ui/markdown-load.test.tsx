import { describe, expect, it, vi } from 'vitest';
import { render } from 'ink-testing-library';
import { Text } from 'ink';
import { lineText } from '../../src/ui/text.js';
import { waitFor } from './helpers.js';

// marked loads after the TUI's first frame (src/ui/markdown.ts). Until then instructions read as
// plain wrapped text — nothing is lost — and a pane keyed on useMarkdownReady() renders them
// styled as soon as it is loaded. A fresh module registry: no other test has loaded marked here.
const md = '## Call legal\n\nUse **the hotline**: `+1 555`\n\n- one\n- two';

describe('instructions before and after marked is loaded', () => {
  it('are plain text first, styled once loaded, and the pane renders again by itself', async () => {
    vi.resetModules();
    const m = await import('../../src/ui/markdown.js');
    function Pane() {
      const ready = m.useMarkdownReady();
      return <Text>{`${ready ? 'styled' : 'plain'}\n${m.renderMarkdown(md, 40).map(lineText).join('\n')}`}</Text>;
    }
    const before = m.renderMarkdown(md, 40).map(lineText);
    // the same words, as written (the loading started with this call)
    expect(before).toEqual(['## Call legal', '', 'Use **the hotline**: `+1 555`', '', '- one', '- two']);
    const ui = render(<Pane />);
    await waitFor(() => (ui.lastFrame() ?? '').startsWith('styled'), () => ui.lastFrame() ?? '');
    const after = ui.lastFrame()!.split('\n').slice(1);
    expect(after.join('\n')).not.toContain('##');
    expect(after.join('\n')).not.toContain('**');
    expect(after.some((l) => l.includes('Call legal'))).toBe(true);
    expect(after.filter((l) => /^\s*• (one|two)$/.test(l))).toHaveLength(2);
    ui.unmount();
  });
});
