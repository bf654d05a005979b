// Syntax errors: the first problem, at the offending token, as "expected X, found Y".

import { describe, expect, it } from 'vitest';
import { parseLitmus } from '../../litmus/parser.js';

/** `line:col: message` of the parse error, or 'ok'. */
function err(source: string): string {
  const r = parseLitmus(source, 'bad.litmus');
  if (r.ok) return 'ok';
  expect(r.error.file).toBe('bad.litmus');
  return `${r.error.line}:${r.error.col}: ${r.error.message}`;
}

const T = 'AArch64 T\n{}\n';

describe('syntax errors', () => {
  it('missing } of the init block', () => {
    expect(err('AArch64 T\n{\n0:X1=x;\n P0 | P1 ;\n LDR W0,[X1] | NOP ;\nexists 0:X0=1\n')).toBe(
      "4:2: expected '}' to close the init block, found 'P0'",
    );
    expect(err('AArch64 T\n{\n0:X1=x;\n P0 ;\n LDR W0,[X1] ;\n')).toBe("4:2: expected '}' to close the init block, found 'P0'");
  });

  it('bad cell', () => {
    expect(err(`${T} P0 | P1 ;\n NOP | #1 ;\nexists 0:X0=1\n`)).toBe(
      "4:8: expected an instruction, a label, '|' or ';' in table cell, found '#'",
    );
  });

  it('two instructions in one cell', () => {
    expect(err(`${T} P0 | P1 ;\n LDR W0,[X0] LDR W2,[X1] | NOP ;\nexists 0:X0=1\n`)).toBe(
      "4:14: expected ';' or '|' after instruction, found 'LDR'",
    );
  });

  it('last row without ;', () => {
    expect(err(`${T} P0 ;\n NOP\nexists 0:X0=1\n`)).toBe("5:1: expected ';' or '|' after instruction, found 'exists'");
    expect(err(`${T} P0 ;\nL0:\nexists 0:X0=1\n`)).toBe("5:1: expected ';' or '|' after label, found 'exists'");
  });

  it('unterminated comment, reported where it starts', () => {
    expect(err(`${T} P0 ;\n NOP ; (* oops (* nested *)\nexists 0:X0=1\n`)).toBe(
      "4:8: unterminated comment: expected '*)', found end of file",
    );
    expect(err('AArch64 T\n(* header comment\n{}\n')).toBe("2:1: unterminated comment: expected '*)', found end of file");
  });

  it('unknown characters', () => {
    expect(err(`${T} P0 ;\n NOP @ ;\nexists 0:X0=1\n`)).toBe(
      "4:6: expected an operand (register, '#imm', '[Xn...]' or a name), found '@'",
    );
    expect(err('AArch64 T\n{ 0:X1=x$; }\n P0 ;\n NOP ;\n')).toBe("2:9: expected ';' or '}' after init item, found '$'");
  });

  it('bad fault atoms', () => {
    expect(err(`${T} P0 ;\n NOP ;\nexists fault(0:L0,x)\n`)).toBe("5:14: expected a thread 'P<n>' in fault(...), found '0'");
    expect(err(`${T} P0 ;\n NOP ;\nexists fault(P0:L0,x,)\n`)).toBe(
      '5:22: expected a fault type (MMU:Translation, MMU:Permission...), found \')\'',
    );
    expect(err(`${T} P0 ;\n NOP ;\nexists fault(P0 L0)\n`)).toBe("5:17: expected ')' or ',' in fault(...), found 'L0'");
    expect(err(`${T} P0 ;\n NOP ;\nexists Fault(P0,x,MMU:)\n`)).toBe("5:23: expected a fault kind after 'MMU:', found ')'");
  });

  it('row with more cells than the header', () => {
    expect(err(`${T} P0 | P1 ;\n NOP | NOP | NOP ;\nexists 0:X0=1\n`)).toBe(
      "4:12: expected ';' to end the row (the table has 2 columns), found '|'",
    );
    expect(err(`${T} P0 ;\n NOP | NOP ;\n`)).toBe("4:6: expected ';' to end the row (the table has 1 column), found '|'");
  });

  it('title and header lines', () => {
    expect(err('')).toBe("1:1: expected a title line ('AArch64 NAME'), found end of file");
    expect(err('AArch64\n{}\n P0 ;\n NOP ;\n')).toBe("1:8: expected a test name after 'AArch64', found end of line");
    expect(err('../../x/y.litmus\n')).toBe("1:1: expected an architecture name ('AArch64') on the title line, found '../../x/y.litmus'");
    expect(err('AArch64 T\nthis is not a header\n{}\n P0 ;\n NOP ;\n')).toBe(
      "2:1: expected a 'key=value' header line or '{', found 'this is not a header'",
    );
    expect(err('AArch64 T\nVariant=vmsa\n')).toBe("3:1: expected '{' to open the init block, found end of file");
  });

  it('init block', () => {
    expect(err('AArch64 T\n{ 0:X1=x 0:X2=y; }\n P0 ;\n NOP ;\n')).toBe("2:10: expected ';' or '}' after init item, found '0'");
    expect(err('AArch64 T\n{ PTE(x)=(oa:PA(x) valid:0); }\n P0 ;\n NOP ;\n')).toBe(
      "2:20: expected ')' or ',' in descriptor, found 'valid'",
    );
    expect(err('AArch64 T\n{ 0:X1=label:"L0" ; }\n P0 ;\n NOP ;\n')).toBe(
      '2:14: expected a label "P<n>:<label>" after \'label:\', found "L0"',
    );
    expect(err('AArch64 T\n{ 0:X1=label:"P0:L0 ; }\n P0 ;\n NOP ;\n')).toBe(
      "2:14: unterminated string: expected '\"', found end of line",
    );
    expect(err('AArch64 T\n{ foo(x)=1; }\n P0 ;\n NOP ;\n')).toBe(
      "2:3: expected an init item (0:X1=x, x=1, [PTE(x)]=(...), pteval_t 0:X2=...), found 'foo'",
    );
    expect(err('AArch64 T\n{ 0:X1= ; }\n P0 ;\n NOP ;\n')).toBe(
      "2:9: expected a value (integer, symbol, (descriptor), label:\"P0:L0\"), found ';'",
    );
  });

  it('program table', () => {
    expect(err(`${T} P0 | P1\n NOP | NOP ;\n`)).toBe("4:2: expected ';' or '|' after column header, found 'NOP'");
    expect(err(`${T} P0 | Q1 ;\n NOP | NOP ;\n`)).toBe("3:7: expected a column header ('P1', 'P1.F'), found 'Q1'");
    expect(err(`${T} P0 | P0 ;\n NOP | NOP ;\n`)).toBe("3:7: expected a column header not seen before, found 'P0'");
    expect(err(`${T}exists 0:X0=1\n`)).toBe("3:1: expected the program table header ('P0 | P1 ;'), found 'exists'");
    expect(err(`${T} P0 ;\n LDR W0,[X1 ;\n`)).toBe("4:13: expected ']' or ',' in memory operand, found ';'");
    expect(err(`${T} P0 ;\n LDR W0,[X1,#8 ;\n`)).toBe("4:16: expected ']' to close memory operand, found ';'");
    expect(err(`${T} P0 ;\n LDR W0,[#1] ;\n`)).toBe("4:10: expected a base register after '[', found '#'");
    expect(err(`${T} P0 ;\n MOV W0,# ;\n`)).toBe("4:11: expected a number after '#', found ';'");
  });

  it('final section', () => {
    expect(err(`${T} P0 ;\n NOP ;\nexists 0:X0\n`)).toBe("6:1: expected '=' or '!=' after location in condition, found end of file");
    expect(err(`${T} P0 ;\n NOP ;\nexists (0:X0=1\n`)).toBe("6:1: expected ')' to close '(', found end of file");
    expect(err(`${T} P0 ;\n NOP ;\nexists 0:X0=1 /\\ \n`)).toBe(
      "6:1: expected a condition atom (0:X0=1, x=1, fault(...), '~', '('), found end of file",
    );
    expect(err(`${T} P0 ;\n NOP ;\nexists 0:X0=1 0:X1=2\n`)).toBe("5:15: expected end of file after the condition, found '0'");
    expect(err(`${T} P0 ;\n NOP ;\nlocations [x y]\n`)).toBe("5:14: expected ';' or ']' after location, found 'y'");
    expect(err(`${T} P0 ;\n NOP ;\nlocations [x;] 0:X0=1\n`)).toBe(
      "5:16: expected 'exists', '~exists', 'forall', 'locations', 'filter' or end of file, found '0'",
    );
  });

  it('never throws, whatever the input', () => {
    const samples = ['{', '}', 'AArch64 T\n{', 'AArch64 T\n{}\n P0 ; exists', 'AArch64 T\n{}\n P0 ;\n NOP ;\nexists', '\u0000\u0001', '(*', '"'];
    for (const s of samples) {
      const r = parseLitmus(s, 'x.litmus');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/^(expected|unterminated)/);
    }
  });
});
