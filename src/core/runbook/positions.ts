/**
 * Map an offset inside a string value back to the file: for a plain or simply quoted scalar the
 * text sits in the source as it is; for block scalars each line does. When the value was
 * transformed (escapes, folding), fall back to the start of the scalar.
 */
import { isScalar } from 'yaml';
import { locate, type Path, type Reporter } from './yaml.js';

/** Reporters that see a transformed runbook (format 1.1 repeats, flattened): their path → the file's path. */
export const filePaths = new WeakMap<Reporter, (path: Path) => Path>();

export function offsetInValue(rep: Reporter, path: Path, value: string, offset: number): number | undefined {
  const { node, depth } = locate(rep.root, filePaths.get(rep)?.(path) ?? path);
  if (depth !== path.length || !node?.range) return rep.offsetOf(path, 'value');
  const start = node.range[0];
  if (!isScalar(node)) return start;
  const raw = rep.source.slice(start, node.range[1]);
  // walk the value line by line through the raw source (block scalars keep each line intact)
  let from = 0;
  let lineStart = 0;
  for (;;) {
    let lineEnd = value.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = value.length;
    const seg = value.slice(lineStart, lineEnd);
    const at = seg.length ? raw.indexOf(seg, from) : from;
    if (at < 0) return start;
    if (offset <= lineEnd) return start + at + (offset - lineStart);
    from = at + seg.length;
    lineStart = lineEnd + 1;
    if (lineStart > value.length) return start;
  }
}
