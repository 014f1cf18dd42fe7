/**
 * A terminal for a real Ink instance without a TTY: raw-mode input that takes key bytes, output
 * that keeps every chunk written. No vitest here: bench/ uses it too.
 */
import { EventEmitter } from 'node:events';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
export const plain = (s: string | undefined): string => (s ?? '').replace(ANSI, '');

/** A raw-mode terminal's input for a real Ink instance: `type(k)` is one chunk of key bytes (`type(a, b)`: two chunks); `raw` and `rawHistory` tell what raw mode was set to. */
export class FakeIn extends EventEmitter {
  isTTY = true;
  raw = false;
  rawHistory: boolean[] = [];
  setRawMode(v: boolean) {
    this.raw = v;
    this.rawHistory.push(v);
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  #data: string | null = null;
  read = () => {
    const d = this.#data;
    this.#data = null;
    return d;
  };
  type(...keys: string[]) {
    for (const k of keys) {
      this.#data = k;
      this.emit('readable');
    }
  }
}
/** A terminal's output for a real Ink instance (100×30): every chunk written, kept. */
export class FakeOut extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  chunks: string[] = [];
  /** told of each chunk as it is written (a test can act at that moment) */
  onWrite: ((s: string) => void) | undefined;
  write = (s: string, cb?: () => void) => {
    this.chunks.push(s);
    this.onWrite?.(s);
    cb?.();
    return true;
  };
  get text() {
    return plain(this.chunks.join(''));
  }
}
