// Lexer for herd7 litmus files. It works in two modes, driven by the parser:
//  - line mode for the title and header lines (`AArch64 NAME`, `Variant=vmsa`), whose values are
//    free text taken up to the end of the line;
//  - token mode for everything from the init block `{` on.
// OCaml comments `(* ... *)` (nestable) are trivia in both modes.

import type { Span } from './ast.js';

/** Kinds of token: identifiers (may contain `.` and `-`: `P1.F`, `B.EQ`, `Device-GRE`), numbers, strings, punctuation. */
export type TokenKind = 'ident' | 'num' | 'str' | 'punct' | 'bad' | 'eof';

/** One token with its source range (1-based line/col, `end*` just past the last character) and offsets. */
export interface Token {
  readonly kind: TokenKind;
  /** the token as written; for `str` the contents without the quotes; for `eof` the empty string */
  readonly text: string;
  /** the numeric value of a `num` token */
  readonly value?: bigint;
  readonly span: Span;
  /** offsets into the source: `start` inclusive, `end` exclusive */
  readonly start: number;
  readonly end: number;
}

/** A lexical error (unterminated comment or string), with the position where the construct starts. */
export interface LexError {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** Punctuation tokens, longest first so that `!=`, `=>`, `/\` and `\/` win over their prefixes. */
const PUNCT: readonly string[] = [
  '/\\', '\\/', '!=', '<>', '==', '=>',
  '~', '|', ';', ':', '=', '[', ']', '(', ')', '{', '}', ',', '#', '&', '*',
];

const CH_NL = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_STAR = 42;
const CH_QUOTE = 34;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_UNDERSCORE = 95;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isIdentStart(c: number): boolean {
  return isLetter(c) || c === CH_UNDERSCORE;
}
function isIdentChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === CH_UNDERSCORE;
}

/** How a token is shown in error messages: `'LDR'`, `"P1:L1"`, `end of file`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'str':
      return `"${t.text}"`;
    default:
      return `'${t.text}'`;
  }
}

/**
 * A cursor over a litmus source. The parser reads the title and headers with `skipTrivia` and
 * `restOfLine`, then calls `tokenize` once for the rest of the file.
 */
export class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly src: string) {}

  /** Current position, 1-based. */
  get position(): { line: number; col: number } {
    return { line: this.line, col: this.col };
  }
  /** true at end of input */
  atEnd(): boolean {
    return this.pos >= this.src.length;
  }
  /** The character at the cursor, or '' at end of input. */
  peekChar(): string {
    return this.src.charAt(this.pos);
  }

  private advance(): void {
    if (this.src.charCodeAt(this.pos) === CH_NL) {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    this.pos++;
  }

  private advanceBy(n: number): void {
    for (let i = 0; i < n; i++) this.advance();
  }

  /** true when the cursor is on `(*` */
  private atCommentStart(): boolean {
    return this.src.charCodeAt(this.pos) === CH_LPAREN && this.src.charCodeAt(this.pos + 1) === CH_STAR;
  }

  /** Skips one (possibly nested) comment starting at the cursor, which must be on `(*`. */
  private skipComment(): LexError | undefined {
    const line = this.line;
    const col = this.col;
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.atCommentStart()) {
        depth++;
        this.advanceBy(2);
      } else if (this.src.charCodeAt(this.pos) === CH_STAR && this.src.charCodeAt(this.pos + 1) === CH_RPAREN) {
        depth--;
        this.advanceBy(2);
        if (depth === 0) return undefined;
      } else {
        this.advance();
      }
    }
    return { line, col, message: "unterminated comment: expected '*)', found end of file" };
  }

  /** Skips whitespace (including newlines) and comments. */
  skipTrivia(): LexError | undefined {
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (c === CH_SPACE || c === CH_TAB || c === CH_NL || c === CH_CR || c === 12 || c === 11) {
        this.advance();
      } else if (this.atCommentStart()) {
        const err = this.skipComment();
        if (err) return err;
      } else {
        return undefined;
      }
    }
  }

  /**
   * Reads the rest of the current line (not the newline), stopping early at a comment start so
   * that the next `skipTrivia` skips the comment. Returns the raw text and its span.
   */
  restOfLine(): { text: string; span: Span } {
    const line = this.line;
    const col = this.col;
    const start = this.pos;
    while (this.pos < this.src.length && this.src.charCodeAt(this.pos) !== CH_NL && !this.atCommentStart()) {
      this.advance();
    }
    return { text: this.src.slice(start, this.pos), span: { line, col, endLine: this.line, endCol: this.col } };
  }

  /** Tokenizes from the cursor to the end of input; the last token is always `eof`. */
  tokenize(): { ok: true; tokens: Token[] } | { ok: false; error: LexError } {
    const tokens: Token[] = [];
    for (;;) {
      const err = this.skipTrivia();
      if (err) return { ok: false, error: err };
      const startLine = this.line;
      const startCol = this.col;
      const start = this.pos;
      const make = (kind: TokenKind, text: string, value?: bigint): Token => {
        const span: Span = { line: startLine, col: startCol, endLine: this.line, endCol: this.col };
        return value === undefined
          ? { kind, text, span, start, end: this.pos }
          : { kind, text, value, span, start, end: this.pos };
      };
      if (this.pos >= this.src.length) {
        tokens.push(make('eof', ''));
        return { ok: true, tokens };
      }
      const c = this.src.charCodeAt(this.pos);
      if (isDigit(c) || (c === CH_MINUS && isDigit(this.src.charCodeAt(this.pos + 1)))) {
        tokens.push(this.number(make));
      } else if (isIdentStart(c)) {
        this.identifier();
        tokens.push(make('ident', this.src.slice(start, this.pos)));
      } else if (c === CH_QUOTE) {
        this.advance();
        while (this.pos < this.src.length) {
          const d = this.src.charCodeAt(this.pos);
          if (d === CH_QUOTE || d === CH_NL) break;
          this.advance();
        }
        if (this.src.charCodeAt(this.pos) !== CH_QUOTE) {
          return {
            ok: false,
            error: { line: startLine, col: startCol, message: `unterminated string: expected '"', found ${this.pos >= this.src.length ? 'end of file' : 'end of line'}` },
          };
        }
        const text = this.src.slice(start + 1, this.pos);
        this.advance();
        tokens.push(make('str', text));
      } else {
        const p = PUNCT.find((s) => this.src.startsWith(s, this.pos));
        if (p !== undefined) {
          this.advanceBy(p.length);
          tokens.push(make('punct', p));
        } else {
          // An unknown character: the parser reports it as "expected ..., found 'c'".
          this.advance();
          tokens.push(make('bad', this.src.slice(start, this.pos)));
        }
      }
    }
  }

  /** Identifier: letters, digits, `_`; an inner `.` before an identifier character (`B.EQ`), an inner `-` before a letter (`Device-GRE`). */
  private identifier(): void {
    this.advance();
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (isIdentChar(c)) {
        this.advance();
      } else if (
        (c === CH_DOT && isIdentChar(this.src.charCodeAt(this.pos + 1))) ||
        (c === CH_MINUS && isIdentStart(this.src.charCodeAt(this.pos + 1)))
      ) {
        this.advanceBy(2);
      } else {
        return;
      }
    }
  }

  /** Number: optional `-`, decimal or `0x` hex. */
  private number(make: (kind: TokenKind, text: string, value?: bigint) => Token): Token {
    const start = this.pos;
    let negative = false;
    if (this.src.charCodeAt(this.pos) === CH_MINUS) {
      negative = true;
      this.advance();
    }
    const digitsStart = this.pos;
    const x = this.src.charCodeAt(this.pos + 1);
    if (this.src.charCodeAt(this.pos) === 48 && (x === 120 || x === 88) && isHexDigit(this.src.charCodeAt(this.pos + 2))) {
      this.advanceBy(2);
      while (isHexDigit(this.src.charCodeAt(this.pos))) this.advance();
    } else {
      while (isDigit(this.src.charCodeAt(this.pos))) this.advance();
    }
    const magnitude = BigInt(this.src.slice(digitsStart, this.pos));
    return make('num', this.src.slice(start, this.pos), negative ? -magnitude : magnitude);
  }
}
