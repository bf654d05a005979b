// The single-thread visited set: every key keeps the id it was first added with, through growth,
// for fingerprints (the table) and any other key (the Map).
import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../explorer/key-index.js';

describe('KeyIndex', () => {
  it('keeps the first id of every key through growth', () => {
    const ix = new KeyIndex();
    const keys: number[] = [];
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      keys.push(i % 7 === 0 ? i : x * 0x200000 + (i & 0x1fffff)); // small and 53-bit keys, clustered low ones
    }
    keys.push(0, Number.MAX_SAFE_INTEGER - 1);
    const first = new Map<number, number>();
    keys.forEach((k, id) => {
      const had = first.get(k);
      expect(ix.add(k, id)).toBe(had ?? -1);
      if (had === undefined) first.set(k, id);
    });
    expect(ix.size).toBe(first.size);
    for (const [k, id] of first) expect(ix.get(k)).toBe(id);
    expect(ix.get(3.5)).toBe(-1);
    expect(new Map(ix.entries())).toEqual(first);
    // insert: the same set through the method that does not read ids back, and clear
    const iy = new KeyIndex();
    keys.forEach((k, id) => expect(iy.insert(k, id)).toBe(first.get(k) === id));
    expect(new Map(iy.entries())).toEqual(first);
    expect(iy.insert('a', 1)).toBe(true);
    expect(iy.insert('a', 2)).toBe(false);
    iy.clear();
    expect(iy.size).toBe(0);
    expect(iy.get(keys[0] as number)).toBe(-1);
    expect(iy.insert(keys[0] as number, 5)).toBe(true);
  });

  it('without ids, is a set of the same keys whose every present key answers 0', () => {
    const ids = new KeyIndex();
    const set = new KeyIndex(false);
    let x = 99;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const k = i % 5 === 0 ? `s${x % 1000}` : (x % 7000) * 0x200000 + (x & 0xff);
      expect(set.insert(k, i)).toBe(ids.insert(k, i));
    }
    expect(set.size).toBe(ids.size);
    for (const [k] of ids.entries()) expect(set.get(k)).toBe(0);
    expect(set.get(123.5)).toBe(-1);
    expect(set.add('new', 7)).toBe(-1);
    expect(set.add('new', 8)).toBe(0);
    expect(set.get('new')).toBe(0);
  });

  it('takes strings, negative and unsafe numbers as keys too', () => {
    const ix = new KeyIndex();
    expect(ix.add('a,b', 0)).toBe(-1);
    expect(ix.add(-1, 1)).toBe(-1);
    expect(ix.add(2 ** 60, 2)).toBe(-1);
    expect(ix.add(7, 3)).toBe(-1);
    expect(ix.add('a,b', 9)).toBe(0);
    expect([ix.get('a,b'), ix.get(-1), ix.get(2 ** 60), ix.get(7), ix.get('x')]).toEqual([0, 1, 2, 3, -1]);
    expect(ix.size).toBe(4);
  });
});
