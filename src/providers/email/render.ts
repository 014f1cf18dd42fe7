/**
 * Markdown body → plain text and HTML for a notification e-mail.
 *
 * The body is already rendered by the engine's templates and can hold attacker-controlled
 * values (repo names, commit messages, key descriptions). So the HTML is built defensively:
 * raw HTML in the Markdown is escaped (shown as text, never interpreted), links keep only
 * http(s) and mailto targets, and images become their alt text plus address (no remote
 * loads, no tracking pixels).
 */
import { Marked, type Token, type Tokens } from 'marked';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const SAFE_HREF = /^(?:https?:|mailto:)/i;

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token) {
      const text = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${text.trim()}</p>\n` : text;
    },
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href.trim())) return inner;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${inner}</a>`;
    },
    image({ href, text }) {
      return `${escapeHtml(text)}${href ? ` (${escapeHtml(href)})` : ''}`;
    },
  },
});

/** Markdown → an HTML fragment wrapped in a minimal document. */
export function markdownToHtml(md: string): string {
  const body = marked.parse(md, { async: false });
  return `<!doctype html>\n<html><body>\n${body}</body></html>\n`;
}

function inline(tokens: readonly Token[] | undefined): string {
  let out = '';
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'link': {
        const l = t as Tokens.Link;
        const text = inline(l.tokens);
        out += text === l.href || `mailto:${text}` === l.href ? text : `${text} (${l.href})`;
        break;
      }
      case 'image': {
        const i = t as Tokens.Image;
        out += `${i.text}${i.href ? ` (${i.href})` : ''}`;
        break;
      }
      case 'br':
        out += '\n';
        break;
      case 'escape':
      case 'codespan':
      case 'html':
        out += (t as { text: string }).text;
        break;
      default:
        out += 'tokens' in t && Array.isArray(t.tokens) ? inline(t.tokens) : 'text' in t ? String(t.text) : t.raw;
    }
  }
  return out;
}

function block(tokens: readonly Token[], indent = ''): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
        break;
      case 'heading': {
        const h = t as Tokens.Heading;
        const text = inline(h.tokens);
        out.push(text);
        if (h.depth <= 2) out.push((h.depth === 1 ? '=' : '-').repeat(Math.min(72, text.length)));
        out.push('');
        break;
      }
      case 'paragraph':
        out.push(...inline((t as Tokens.Paragraph).tokens).split('\n').map((l) => indent + l), '');
        break;
      case 'code':
        out.push(...(t as Tokens.Code).text.split('\n').map((l) => `${indent}    ${l}`), '');
        break;
      case 'blockquote': {
        const inner = block((t as Tokens.Blockquote).tokens);
        while (inner.length && inner[inner.length - 1] === '') inner.pop();
        out.push(...inner.map((l) => `${indent}> ${l}`.trimEnd()), '');
        break;
      }
      case 'list': {
        const l = t as Tokens.List;
        l.items.forEach((item, i) => {
          const bullet = l.ordered ? `${Number(l.start || 1) + i}. ` : '- ';
          const lines = block(item.tokens, '').filter((x, j, a) => x !== '' || j < a.length - 1);
          lines.forEach((x, j) => out.push(`${indent}${j === 0 ? bullet : ' '.repeat(bullet.length)}${x}`.trimEnd()));
        });
        out.push('');
        break;
      }
      case 'hr':
        out.push('-'.repeat(40), '');
        break;
      case 'table': {
        const tb = t as Tokens.Table;
        out.push(tb.header.map((c) => inline(c.tokens)).join(' | '));
        for (const row of tb.rows) out.push(row.map((c) => inline(c.tokens)).join(' | '));
        out.push('');
        break;
      }
      case 'text':
        out.push(indent + ('tokens' in t && t.tokens ? inline(t.tokens) : String((t as Tokens.Text).text)));
        break;
      default:
        out.push(indent + ('text' in t ? String(t.text) : t.raw));
    }
  }
  return out;
}

/** Markdown → readable plain text (the text/plain part). */
export function markdownToText(md: string): string {
  const lines = block(marked.lexer(md));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}
