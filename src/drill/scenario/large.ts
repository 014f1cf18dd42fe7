/**
 * Reading a large scenario without holding its whole YAML document (issue 15). `yaml` builds a
 * concrete syntax tree of the whole document before its node tree: for the 2 MB scenario of
 * 10,000 generated tokens that is ~900,000 tokens and ~190 MiB of RSS at start-up, more than
 * the rest of the drill needs. Generated worlds are long runs of one-line block-sequence items
 * (`    - { id: t00001, owner: user1, ... }`), so the document is read in pieces: the file with
 * each long run replaced by one placeholder item (the skeleton), and each run in chunks of a
 * few hundred lines, every piece through the same strict reader (src/core/runbook/yaml.ts);
 * the runs' items are then spliced in where their placeholders stand.
 *
 * This is only a fast path for files that are valid: it answers `undefined` on anything
 * unusual — a problem in any piece, a placeholder that is not an item of a block sequence in
 * the skeleton, a run whose chunk does not parse as exactly one item per line, a deep value —
 * and the caller then reads the whole document the usual way, which reports every problem at
 * its file:line:col. Small files (under LARGE_BYTES) always take the usual way.
 */
import { randomUUID } from 'node:crypto';
import { isScalar, isSeq, visit } from 'yaml';
import { MAX_BYTES, Reporter, readYaml, yamlParses } from '../../core/runbook/yaml.js';

/** Below this size the whole document is cheap: read it the usual way. */
export const LARGE_BYTES = 64 * 1024;
/** Runs shorter than this stay in the skeleton. */
const MIN_RUN = 64;
/** Lines per chunk: small enough that a chunk's syntax tree is a few hundred KB. */
const CHUNK = 256;
/** A value deeper than this goes the usual way (whose cap, MAX_DEPTH, counts nodes as this does). */
const MAX_FAST_DEPTH = 32;
/** One block-sequence item that is one whole flow collection on its line, nothing after it. */
const ITEM = /^( *)- [{[][^#\r]*[}\]][ \t]*$/;

/**
 * The plain value of `text` read in pieces, or `undefined` when the usual whole-document read
 * should be used (small file, nothing to split, or anything the pieces cannot vouch for).
 */
export function readLargeYaml(text: string): unknown {
  if (text.length < LARGE_BYTES || text.includes('\r') || Buffer.byteLength(text, 'utf8') > MAX_BYTES) return undefined;
  const before = yamlParses.count;
  try {
    return readPieces(text);
  } finally {
    // one document, however many pieces it was read in
    yamlParses.count = before + 1;
  }
}

function readPieces(text: string): unknown {
  const lines = text.split('\n');
  const tag = `runbook-large-yaml-${randomUUID()}-`;
  const skeleton: string[] = [];
  const runs: { from: number; to: number; indent: number }[] = [];
  for (let i = 0; i < lines.length; ) {
    const m = ITEM.exec(lines[i]!);
    if (!m) {
      skeleton.push(lines[i++]!);
      continue;
    }
    const indent = m[1]!;
    let j = i + 1;
    while (j < lines.length && ITEM.exec(lines[j]!)?.[1] === indent) j++;
    if (j - i >= MIN_RUN) {
      skeleton.push(`${indent}- "${tag}${runs.length}"`);
      runs.push({ from: i, to: j, indent: indent.length });
    } else for (let k = i; k < j; k++) skeleton.push(lines[k]!);
    i = j;
  }
  if (!runs.length) return undefined;

  const skel = skeleton.join('\n');
  const top = readYaml(skel, new Reporter('', skel));
  if (!top) return undefined;
  // each placeholder must be an item of a block sequence, once: anywhere else (a block scalar's
  // text, a flow collection) the lines it replaced meant something else
  let placed = 0;
  let stray = false;
  visit(top.doc, {
    Scalar(_k, node, path) {
      if (typeof node.value !== 'string' || !node.value.startsWith(tag)) return;
      const parent = path[path.length - 1];
      if (isSeq(parent) && !parent.flow && isScalar(node)) placed++;
      else stray = true;
    },
  });
  if (stray || placed !== runs.length) return undefined;

  const items: unknown[][] = [];
  for (const run of runs) {
    const out: unknown[] = [];
    for (let a = run.from; a < run.to; a += CHUNK) {
      const b = Math.min(a + CHUNK, run.to);
      const chunk = lines
        .slice(a, b)
        .map((l) => l.slice(run.indent))
        .join('\n');
      const got = readYaml(chunk, new Reporter('', chunk));
      if (!got || !Array.isArray(got.value) || got.value.length !== b - a) return undefined;
      out.push(...(got.value as unknown[]));
    }
    items.push(out);
  }

  const used = new Set<number>();
  let tooDeep = false;
  const splice = (v: unknown, depth: number): unknown => {
    if (depth > MAX_FAST_DEPTH) tooDeep = true;
    if (tooDeep || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) {
        if (typeof x === 'string' && x.startsWith(tag)) {
          const k = Number(x.slice(tag.length));
          const run = items[k];
          if (!run || used.has(k)) tooDeep = true;
          else {
            used.add(k);
            for (const it of run) out.push(splice(it, depth + 1));
          }
        } else out.push(splice(x, depth + 1));
      }
      return out;
    }
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) o[key] = splice(o[key], depth + 1);
    return o;
  };
  const value = splice(top.value, 0);
  return tooDeep || used.size !== runs.length ? undefined : value;
}
