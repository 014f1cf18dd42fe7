/**
 * What a promise rejected with, checked to be an instance of the error class the test expects:
 * the test fails (toBeInstanceOf) if it resolved or rejected with anything else.
 */
import { expect } from 'vitest';

export async function rejection<E>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(type);
  return e as E;
}
