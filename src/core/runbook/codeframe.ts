/**
 * A short code frame with a caret (after Redocly's codeframes): the line before, the line, and
 * a caret under the column. Lines are passed through the token-shape redactor, so a frame never
 * shows a credential that sits in the file; control characters are shown as symbols (␛).
 */
import { redactShapes } from '../secrets/redactor.js';
import { visibleControls } from '../terminal-text.js';

const MAX_WIDTH = 120;

/** Split once; reuse for every issue of a file. */
export function splitLines(source: string): string[] {
  return source.split(/\r\n|\n|\r/);
}

/**
 * @param line 1-based
 * @param col 1-based
 */
export function codeFrame(lines: readonly string[], line: number, col: number): string {
  if (line < 1 || line > lines.length) return '';
  const width = String(line).length;
  const gutter = (n: number | '', mark: boolean) => `${mark ? '>' : ' '} ${String(n).padStart(width)} | `;
  const out: string[] = [];
  // keep the caret inside the window of long lines
  const target = lines[line - 1]!;
  const start = target.length > MAX_WIDTH && col > MAX_WIDTH - 20 ? Math.max(0, col - 1 - (MAX_WIDTH - 40)) : 0;
  const cut = (s: string) => {
    let t = s.slice(start, start + MAX_WIDTH);
    if (start > 0) t = '…' + t;
    if (s.length > start + MAX_WIDTH) t += '…';
    // a control character in the file is shown (␛), not acted on and not silently dropped
    return visibleControls(redactShapes(t));
  };
  if (line > 1 && lines[line - 2]!.trim() !== '') out.push(gutter(line - 1, false) + cut(lines[line - 2]!));
  out.push(gutter(line, true) + cut(target));
  const before = target.slice(start, Math.max(start, col - 1)).replace(/[^\t]/g, ' ');
  out.push(gutter('', false) + (start > 0 ? ' ' : '') + before + '^');
  return out.map((l) => l.trimEnd()).join('\n');
}
