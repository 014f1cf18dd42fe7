/**
 * Files are scanned in overlapping pieces (bounded memory whatever the file size): the pieces
 * cover the file exactly, and a scan in tiny pieces finds the same credentials on the same
 * lines as a scan of the whole file at once — wherever a credential sits relative to a cut.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, readPieces, scanPaths, type FileScanStats } from '../../src/providers/scan/files.js';
import { DEFAULT_SCAN, FindingSet } from '../../src/providers/scan/findings.js';
import { Secret } from '../../src/core/secrets/secret.js';
import { alnum, canaries } from '../core/secrets/leak.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-scan-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stats = (): FileScanStats => ({ files: 0, bytes: 0, skipped_binary: 0, skipped_large: 0, skipped_other: 0 });

async function found(file: string, chunk?: { chunkBytes: number; chunkOverlap: number }) {
  const set = new FindingSet((v, l) => new Secret(v, l));
  await scanPaths([file], set, { ...DEFAULT_SCAN, maxFileBytes: 1 << 30, signal: new AbortController().signal, base: dir, ...chunk });
  return set
    .list('byLocation')
    .flatMap((f) => f.locations.map((l) => `${f.rule} ${f.token.reveal()} line ${l.line}`))
    .sort();
}

describe('scanning a file in pieces', () => {
  it('reads a large file in pieces no longer than the chunk that, without their overlaps, are the file', () => {
    const line = (i: number) => `${i} ${'é'.repeat(i % 7)}${'x'.repeat(i % 300)}\n`;
    let text = '';
    for (let i = 0; text.length < 3 * 1024 * 1024; i++) text += line(i);
    text += 'y'.repeat(700_000); // one very long line at the end: cut at character boundaries
    const file = join(dir, 'big.txt');
    writeFileSync(file, text);
    const s = stats();
    const pieces = [...readPieces(file, 1 << 30, s)];
    expect(pieces.length).toBeGreaterThan(10);
    for (const p of pieces) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(pieces.map((p) => p.text.slice(0, Number.isFinite(p.own) ? p.own : undefined)).join('')).toBe(text);
    // each piece knows how many lines came before it
    for (const p of pieces) expect(p.linesBefore).toBe(text.slice(0, text.indexOf(p.text)).split('\n').length - 1);
    expect(s).toMatchObject({ files: 1, bytes: Buffer.byteLength(text) });
  });

  it('property: tiny pieces find the same credentials on the same lines as one whole piece', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant('token'),
            fc.string({ unit: fc.constantFrom('a', ' ', 'é', '\n', '=', '"', '😀'), maxLength: 300 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        async (parts) => {
          const text = parts.map((p) => (p === 'token' ? ` hf_${alnum(34)} ` : p)).join('');
          const file = join(dir, `p${n++}.txt`);
          writeFileSync(file, text);
          const whole = await found(file);
          expect(await found(file, { chunkBytes: 400, chunkOverlap: 90 })).toEqual(whole);
          expect(whole.length).toBe(parts.filter((p) => p === 'token').length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: an AWS key id and its secret on either side of a cut between pieces are still paired, each found once', async () => {
    // every line is L bytes, so the cuts do not depend on where the pair is: find them once on
    // filler alone, then put the pair on, before and after the line where the second piece starts
    const L = 80;
    const pad = (s: string) => s.padEnd(L - 1, ' ') + '\n';
    const filler = (i: number) => pad(`line ${i} ${'lorem ipsum '.repeat(i % 5)}`);
    const lines = Math.ceil((CHUNK_BYTES + 64 * 1024) / L);
    const plain = Array.from({ length: lines }, (_, i) => filler(i));
    writeFileSync(join(dir, 'filler.txt'), plain.join(''));
    const pieces = [...readPieces(join(dir, 'filler.txt'), 1 << 30, stats())];
    expect(pieces.length).toBeGreaterThan(1);
    const cutLine = pieces[0]!.own / L; // the second piece starts at this (0-based) line
    expect(Number.isInteger(cutLine)).toBe(true);
    const readEnd = Math.floor(CHUNK_BYTES / L); // the first read ends in this line
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: cutLine - 6, max: cutLine + 1 }), fc.integer({ min: readEnd - 6, max: readEnd + 1 })),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        async (first, gap, secretFirst) => {
          const { awsKeyId, awsSecret } = canaries();
          const idLine = pad(`aws_access_key_id = ${awsKeyId}`);
          const secretLine = pad(`aws_secret_access_key = ${awsSecret}`);
          const body = [...plain];
          body[first] = secretFirst ? secretLine : idLine;
          body[first + gap + 1] = secretFirst ? idLine : secretLine;
          const text = body.join('');
          const file = `aws${n++}.txt`;
          writeFileSync(join(dir, file), text);
          const set = new FindingSet((v, l) => new Secret(v, l));
          await scanPaths([file], set, { ...DEFAULT_SCAN, maxFileBytes: 1 << 30, signal: new AbortController().signal, base: dir });
          const list = set.list();
          const id = list.find((f) => f.rule === 'aws-access-key-id');
          const key = list.find((f) => f.rule === 'aws-secret-access-key');
          expect(list).toHaveLength(2);
          expect(id?.pair?.reveal()).toBe(awsSecret);
          expect(key?.pair?.reveal()).toBe(awsKeyId);
          // the overlap is read twice; the findings are not doubled
          expect(id?.locations).toEqual([{ file, line: body.indexOf(idLine) + 1 }]);
          expect(key?.locations).toEqual([{ file, line: body.indexOf(secretLine) + 1 }]);
        },
      ),
      { numRuns: 80 },
    );
  });
});
