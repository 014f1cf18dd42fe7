/**
 * Runbook instructions (Markdown) → styled, wrapped lines for the terminal. Uses marked's
 * lexer only; nothing is rendered as HTML and no escape sequence from the text survives.
 * marked is loaded after the TUI's first frame (its import builds ~100 regular expressions:
 * ~10 ms that no first frame needs, bench/README.md): until it is, instructions show as plain
 * wrapped text, and the panes that show them render again once it is (useMarkdownReady).
 */
import { useSyncExternalStore } from 'react';
import type { Token, Tokens } from 'marked';
import { sanitize } from './store/logs.js';
import { blank, line, seg, wrap, type Line, type Seg, type SegStyle } from './text.js';
import { jsonBlockAsList } from '../report/json-list.js';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (s: string) => sanitize(s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m));

function inline(tokens: Token[] | undefined, style?: SegStyle): Seg[] {
  const out: Seg[] = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'strong':
        out.push(...inline((t as Tokens.Strong).tokens, 'bold'));
        break;
      case 'em':
        out.push(...inline((t as Tokens.Em).tokens, style ?? 'italic'));
        break;
      case 'del':
        out.push(...inline((t as Tokens.Del).tokens, 'dim'));
        break;
      case 'codespan':
        out.push(seg(decode((t as Tokens.Codespan).text), 'code'));
        break;
      case 'link': {
        const l = t as Tokens.Link;
        const text = inline(l.tokens, 'link');
        out.push(...text);
        const label = text.map((s) => s.text).join('');
        if (label !== l.href) out.push(seg(` (${decode(l.href)})`, 'dim'));
        break;
      }
      case 'image':
        out.push(seg(`[image: ${decode((t as Tokens.Image).text)}]`, 'dim'));
        break;
      case 'br':
        out.push(seg('\n'));
        break;
      case 'checkbox':
        out.push(seg((t as Tokens.Checkbox).checked ? '[x] ' : '[ ] ', 'bold'));
        break;
      case 'text': {
        const tt = t as Tokens.Text;
        if (tt.tokens && tt.tokens.length > 0) out.push(...inline(tt.tokens, style));
        else out.push(seg(decode(tt.text), style));
        break;
      }
      default:
        out.push(seg(decode((t as { text?: string; raw: string }).text ?? t.raw), style));
    }
  }
  return out;
}

/** Split inline segments on hard breaks, then wrap each piece. */
function para(segs: Seg[], width: number, indent: number, first: Seg[] = []): Line[] {
  const pieces: Seg[][] = [[...first]];
  for (const s of segs) {
    const parts = s.text.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) pieces.push([seg(' '.repeat(indent))]);
      if (p) pieces[pieces.length - 1]!.push(seg(p.replace(/\s+/g, ' '), s.style));
    });
  }
  return pieces.flatMap((p) => wrap(p, width, indent));
}

function block(tokens: Token[], width: number, depth: number): Line[] {
  const out: Line[] = [];
  const gap = () => {
    if (out.length > 0 && out[out.length - 1]!.length > 0) out.push(blank());
  };
  const ind = '  '.repeat(depth);
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
        break;
      case 'heading': {
        gap();
        const h = t as Tokens.Heading;
        out.push(...para(inline(h.tokens, 'heading'), width, ind.length, [seg(ind)]));
        break;
      }
      case 'paragraph':
        gap();
        out.push(...para(inline((t as Tokens.Paragraph).tokens), width, ind.length, ind ? [seg(ind)] : []));
        break;
      case 'text': {
        const tt = t as Tokens.Text;
        out.push(...para(tt.tokens ? inline(tt.tokens) : [seg(decode(tt.text))], width, ind.length, ind ? [seg(ind)] : []));
        break;
      }
      case 'list': {
        gap();
        const l = t as Tokens.List;
        const start = typeof l.start === 'number' ? l.start : 1;
        l.items.forEach((item, i) => {
          const bullet = (l.ordered ? `${start + i}. ` : '• ') + (item.task ? (item.checked ? '[x] ' : '[ ] ') : '');
          const body = block(item.tokens.filter((x) => x.type !== 'checkbox'), width - bullet.length, 0);
          body.forEach((b, j) => out.push([seg(ind), seg(j === 0 ? bullet : ' '.repeat(bullet.length), j === 0 ? 'bold' : undefined), ...b]));
        });
        break;
      }
      case 'code': {
        gap();
        // what an earlier step found (`toJSON(...)` in a ```json block): a list, not one line of raw JSON
        const asList = (t as Tokens.Code).lang === 'json' ? jsonBlockAsList((t as Tokens.Code).text) : undefined;
        if (asList) {
          for (const l of asList) out.push(...wrap(line(ind + '  ', seg(sanitize(l))), width, ind.length + 4));
          break;
        }
        // code keeps its spacing and is broken (not cut) at the width
        for (const c of (t as Tokens.Code).text.replace(/\n+$/, '').split('\n')) out.push(...wrap(line(ind + '  ', seg(sanitize(c), 'code')), width, ind.length + 2));
        break;
      }
      case 'blockquote': {
        gap();
        for (const b of block((t as Tokens.Blockquote).tokens, width - 2, 0)) out.push([seg(ind + '│ ', 'dim'), ...b]);
        break;
      }
      case 'hr':
        gap();
        out.push(line(seg('─'.repeat(Math.min(width, 40)), 'dim')));
        break;
      case 'table': {
        gap();
        const tb = t as Tokens.Table;
        const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens).map((s) => s.text).join('')).join(' │ ');
        out.push(...wrap(line(seg(row(tb.header), 'bold')), width, 2));
        for (const r of tb.rows) out.push(...wrap(line(row(r)), width, 2));
        break;
      }
      case 'html':
        out.push(...wrap(line(seg(decode((t as Tokens.HTML).text).trim(), 'dim')), width));
        break;
      default:
        if ('raw' in t && t.raw.trim()) out.push(...wrap(line(decode(t.raw)), width));
    }
  }
  return out;
}

let lexer: typeof import('marked').lexer | undefined;
let loading: Promise<void> | undefined;
const loaded = new Set<() => void>();

/** Load marked (once): renderMarkdown styles the text from then on. */
export function loadMarkdown(): Promise<void> {
  return (loading ??= import('marked').then((m) => {
    lexer = m.lexer;
    for (const f of loaded) f();
  }));
}

const subscribe = (f: () => void) => {
  loaded.add(f);
  return () => loaded.delete(f);
};
const ready = () => lexer !== undefined;

/** true once marked is loaded: a pane that renders Markdown keys its memo on it, so it renders again then */
export function useMarkdownReady(): boolean {
  return useSyncExternalStore(subscribe, ready);
}

/** the text as it is, wrapped: before marked is loaded, and for text its lexer cannot read */
const plain = (md: string, width: number): Line[] => md.split('\n').flatMap((l) => wrap(line(sanitize(l)), width));

export function renderMarkdown(md: string, width: number): Line[] {
  if (!lexer) {
    void loadMarkdown();
    return plain(md, width);
  }
  try {
    return block(lexer(md), Math.max(10, width), 0);
  } catch {
    return plain(md, width);
  }
}
