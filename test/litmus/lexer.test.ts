// Lexer: token kinds, values, spans, comments.

import { describe, expect, it } from 'vitest';
import { Lexer, describeToken } from '../../litmus/lexer.js';
import type { Token } from '../../litmus/lexer.js';

function tokens(src: string): Token[] {
  const r = new Lexer(src).tokenize();
  if (!r.ok) throw new Error(r.error.message);
  return r.tokens;
}
const texts = (src: string): string[] => tokens(src).map((t) => `${t.kind}:${t.text}`);

describe('lexer', () => {
  it('punctuation, longest match first', () => {
    expect(texts('/\\ \\/ ~ | ; : = != <> == => [ ] ( ) { } , # & *')).toEqual([
      'punct:/\\', 'punct:\\/', 'punct:~', 'punct:|', 'punct:;', 'punct::', 'punct:=', 'punct:!=', 'punct:<>',
      'punct:==', 'punct:=>', 'punct:[', 'punct:]', 'punct:(', 'punct:)', 'punct:{', 'punct:}', 'punct:,',
      'punct:#', 'punct:&', 'punct:*', 'eof:',
    ]);
    expect(texts('x=1/\\y=2')).toEqual(['ident:x', 'punct:=', 'num:1', 'punct:/\\', 'ident:y', 'punct:=', 'num:2', 'eof:']);
  });

  it('numbers: decimal, hex, negative', () => {
    const ts = tokens('0 42 0x1F -1 -0x10 #-3');
    expect(ts.filter((t) => t.kind === 'num').map((t) => t.value)).toEqual([0n, 42n, 31n, -1n, -16n, -3n]);
    expect(ts.map((t) => t.text)).toEqual(['0', '42', '0x1F', '-1', '-0x10', '#', '-3', '']);
  });

  it('identifiers with dots and dashes', () => {
    expect(texts('P1.F B.EQ Device-GRE D-MMU:Translation pte_x ELR_EL1 x-1')).toEqual([
      'ident:P1.F', 'ident:B.EQ', 'ident:Device-GRE', 'ident:D-MMU', 'punct::', 'ident:Translation', 'ident:pte_x',
      'ident:ELR_EL1', 'ident:x', 'num:-1', 'eof:',
    ]);
  });

  it('strings', () => {
    const ts = tokens('label:"P1:L1"');
    expect(ts[2]).toMatchObject({ kind: 'str', text: 'P1:L1', start: 6, end: 13 });
    expect(describeToken(ts[2] as Token)).toBe('"P1:L1"');
  });

  it('nested comments are skipped; unterminated ones are errors at their start', () => {
    expect(texts('a (* x (* y *) z *) b')).toEqual(['ident:a', 'ident:b', 'eof:']);
    expect(texts('(**)c(***)')).toEqual(['ident:c', 'eof:']);
    const r = new Lexer('a\n  (* x (* y *)\n').tokenize();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ line: 2, col: 3, message: "unterminated comment: expected '*)', found end of file" });
  });

  it('spans are 1-based, end just past the token, across lines and CRLF', () => {
    const ts = tokens('ab  cd\r\n  [X1]\n');
    expect(ts.map((t) => [t.text, t.span])).toEqual([
      ['ab', { line: 1, col: 1, endLine: 1, endCol: 3 }],
      ['cd', { line: 1, col: 5, endLine: 1, endCol: 7 }],
      ['[', { line: 2, col: 3, endLine: 2, endCol: 4 }],
      ['X1', { line: 2, col: 4, endLine: 2, endCol: 6 }],
      [']', { line: 2, col: 6, endLine: 2, endCol: 7 }],
      ['', { line: 3, col: 1, endLine: 3, endCol: 1 }],
    ]);
  });

  it('unknown characters become bad tokens for the parser to report', () => {
    expect(texts('a @ b')).toEqual(['ident:a', 'bad:@', 'ident:b', 'eof:']);
  });

  it('line mode: rest of line stops at a comment', () => {
    const lx = new Lexer('AArch64 T\nVariant=vmsa (* c *)\n{');
    expect(lx.restOfLine().text).toBe('AArch64 T');
    expect(lx.skipTrivia()).toBeUndefined();
    const l = lx.restOfLine();
    expect(l.text).toBe('Variant=vmsa ');
    expect(l.span).toEqual({ line: 2, col: 1, endLine: 2, endCol: 14 });
    expect(lx.skipTrivia()).toBeUndefined();
    expect(lx.peekChar()).toBe('{');
  });
});
