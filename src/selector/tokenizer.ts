// Tokenizer for Calico's selector language, following libcalico-go `selector/tokenizer` rule for rule:
// - whitespace is only space and tab (a newline is an unexpected character);
// - right after a label only an operator word may follow: `contains`, `starts with`, `ends with`,
//   `not in`, `in`; the space inside the two-word operators is optional (`startswith`, `notin`), and
//   each operator must end at a word boundary (`inf` is not `in` followed by `f`);
// - `has(`, `all(` and `global(` must be written without a space before the parenthesis;
// - label names are 1–512 characters from [a-zA-Z0-9_./-]; strings are '…' or "…" without escapes.
import { TabbyError } from '../errors.ts';

export class SelectorSyntaxError extends TabbyError {
  constructor(
    readonly reason: string,
    /** 0-based character offset into the selector where the problem is. */
    readonly position: number,
    readonly selector: string,
  ) {
    super('InvalidSelector', `invalid selector ${JSON.stringify(selector)}: ${reason} at position ${position}\n  ${selector}\n  ${' '.repeat(position)}^`);
    this.name = 'SelectorSyntaxError';
  }
}

export type TokenKind =
  | 'label' | 'string' | 'eq' | 'ne' | 'in' | 'notIn' | 'contains' | 'startsWith' | 'endsWith'
  | 'has' | 'all' | 'global' | 'not' | 'and' | 'or' | 'lparen' | 'rparen' | 'lbrace' | 'rbrace' | 'comma' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The label name (label, has) or the string literal's content (string); '' otherwise. */
  value: string;
  /** 0-based offset of the token's first character. */
  pos: number;
}

export const MAX_LABEL_LENGTH = 512;

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && /^[a-zA-Z0-9_./-]$/.test(c);
}

/** True if `name` is a whole, valid selector label name (the tokenizer's ValidLabel). */
export function isValidSelectorLabel(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_LABEL_LENGTH && [...name].every(isIdentifierChar);
}

const SINGLE: Record<string, TokenKind> = { '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', ',': 'comma' };
const DOUBLED: Record<string, [TokenKind, string]> = { '=': ['eq', '=='], '&': ['and', '&&'], '|': ['or', '||'] };
// Longest alternatives first where one word is a prefix of another (`not in` before `in`).
const OPERATOR_WORDS: Array<[string[], TokenKind]> = [
  [['contains'], 'contains'],
  [['starts', 'with'], 'startsWith'],
  [['ends', 'with'], 'endsWith'],
  [['not', 'in'], 'notIn'],
  [['in'], 'in'],
];
const FUNCTIONS: Array<[string, TokenKind]> = [['all(', 'all'], ['global(', 'global']];

class Tokenizer {
  private i = 0;
  private readonly tokens: Token[] = [];
  constructor(private readonly input: string) {}

  run(): Token[] {
    for (;;) {
      this.skipWhitespace();
      if (this.i >= this.input.length) {
        this.tokens.push({ kind: 'eof', value: '', pos: this.i });
        return this.tokens;
      }
      this.step();
    }
  }

  private fail(reason: string, pos = this.i): never {
    throw new SelectorSyntaxError(reason, pos, this.input);
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.input[this.i])) this.i++;
  }

  private push(kind: TokenKind, pos: number, value = ''): void {
    this.tokens.push({ kind, value, pos });
  }

  private step(): void {
    const start = this.i;
    const c = this.input[start]!;
    const single = SINGLE[c];
    if (single) {
      this.i++;
      return this.push(single, start);
    }
    if (c === '"' || c === "'") return this.stringLiteral(c);
    if (c === '!') {
      const ne = this.input[start + 1] === '=';
      this.i += ne ? 2 : 1;
      return this.push(ne ? 'ne' : 'not', start);
    }
    const doubled = DOUBLED[c];
    if (doubled) {
      if (this.input[start + 1] !== c) this.fail(`unexpected character ${JSON.stringify(c)} (expected '${doubled[1]}')`);
      this.i += 2;
      return this.push(doubled[0], start);
    }
    if (this.tokens[this.tokens.length - 1]?.kind === 'label') return this.operatorWord();
    if (this.input.startsWith('has(', start)) return this.hasFunction();
    for (const [prefix, kind] of FUNCTIONS) {
      if (this.input.startsWith(prefix, start)) return this.emptyFunction(prefix, kind);
    }
    const label = this.identifier();
    this.push('label', start, label);
  }

  private stringLiteral(quote: string): void {
    const end = this.input.indexOf(quote, this.i + 1);
    if (end < 0) this.fail(`unterminated string literal (missing closing ${quote})`);
    this.push('string', this.i, this.input.slice(this.i + 1, end));
    this.i = end + 1;
  }

  /** After a label only an operator may follow; its words may be run together and must end at a word boundary. */
  private operatorWord(): void {
    const start = this.i;
    for (const [words, kind] of OPERATOR_WORDS) {
      let j = start;
      let matched = true;
      for (const word of words) {
        if (!this.input.startsWith(word, j)) {
          matched = false;
          break;
        }
        j += word.length;
        // Upstream trims the space after every word of a multi-word operator, the last one included.
        if (words.length > 1) while (isWhitespace(this.input[j])) j++;
      }
      if (matched && !isIdentifierChar(this.input[j])) {
        this.i = j;
        return this.push(kind, start);
      }
    }
    const label = this.tokens[this.tokens.length - 1]!.value;
    this.fail(`expected an operator after label ${JSON.stringify(label)} ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')`);
  }

  private hasFunction(): void {
    const start = this.i;
    this.i += 'has('.length;
    this.skipWhitespace();
    const label = this.identifier();
    this.skipWhitespace();
    if (this.input[this.i] !== ')') this.fail("no closing ')' after has(");
    this.i++;
    this.push('has', start, label);
  }

  private emptyFunction(prefix: string, kind: TokenKind): void {
    const start = this.i;
    this.i += prefix.length;
    this.skipWhitespace();
    if (this.input[this.i] !== ')') this.fail(`no closing ')' after ${prefix}`);
    this.i++;
    this.push(kind, start);
  }

  private identifier(): string {
    const start = this.i;
    while (isIdentifierChar(this.input[this.i])) this.i++;
    if (this.i === start) {
      const c = this.input[start];
      this.fail(c === undefined ? 'expected a label name, found end of selector' : `unexpected character ${JSON.stringify(c)}`);
    }
    if (this.i - start > MAX_LABEL_LENGTH) this.fail(`label name longer than ${MAX_LABEL_LENGTH} characters`, start);
    return this.input.slice(start, this.i);
  }
}

/** The selector's tokens, ending with an 'eof' token. Throws SelectorSyntaxError where Calico's tokenizer errors. */
export function tokenize(input: string): Token[] {
  return new Tokenizer(input).run();
}
