// Tokenizer and recursive-descent parser for Calico's selector language (libcalico-go `selector/tokenizer`,
// `selector/parser`). Grammar, loosest first:
//   or   := and ('||' and)*
//   and  := unary ('&&' unary)*
//   unary:= '!' unary | '(' or ')' | 'all()' | 'global()' | 'has(' label ')' | label op
//   op   := '==' str | '!=' str | 'in' set | 'not in' set | 'contains' str | 'starts with' str | 'ends with' str
// Operator words are recognised only right after a label, as in Calico.
import type { SelectorNode } from './ast.ts';
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

type TokenKind =
  | 'label' | 'string' | 'eq' | 'ne' | 'in' | 'notIn' | 'contains' | 'startsWith' | 'endsWith'
  | 'has' | 'all' | 'global' | 'not' | 'and' | 'or' | 'lparen' | 'rparen' | 'lbrace' | 'rbrace' | 'comma' | 'eof';

interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
}

const MAX_LABEL_LENGTH = 512;
const LABEL_RE = /^[a-zA-Z0-9_./-]+/;
const HAS_RE = /^has\(\s*([a-zA-Z0-9_./-]+)\s*\)/;
const ALL_RE = /^all\(\s*\)/;
const GLOBAL_RE = /^global\(\s*\)/;
// After a label: operator words, not followed by another label character.
const AFTER_LABEL: Array<[RegExp, TokenKind]> = [
  [/^not\s+in(?![a-zA-Z0-9_./-])/, 'notIn'],
  [/^in(?![a-zA-Z0-9_./-])/, 'in'],
  [/^contains(?![a-zA-Z0-9_./-])/, 'contains'],
  [/^starts\s+with(?![a-zA-Z0-9_./-])/, 'startsWith'],
  [/^ends\s+with(?![a-zA-Z0-9_./-])/, 'endsWith'],
];
const PUNCT: Array<[string, TokenKind]> = [
  ['!=', 'ne'], ['==', 'eq'], ['&&', 'and'], ['||', 'or'], ['!', 'not'],
  ['(', 'lparen'], [')', 'rparen'], ['{', 'lbrace'], ['}', 'rbrace'], [',', 'comma'],
];

export function tokenize(input: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (true) {
    while (i < input.length && /\s/.test(input[i]!)) i++;
    if (i >= input.length) {
      toks.push({ kind: 'eof', value: '', pos: i });
      return toks;
    }
    const rest = input.slice(i);
    const prev = toks[toks.length - 1];
    let m: RegExpExecArray | null;
    if (prev?.kind === 'label') {
      let matched = false;
      for (const [re, kind] of AFTER_LABEL) {
        if ((m = re.exec(rest))) {
          toks.push({ kind, value: m[0], pos: i });
          i += m[0].length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    if ((m = HAS_RE.exec(rest))) {
      checkLabelLength(m[1]!, i + m[0].indexOf(m[1]!), input);
      toks.push({ kind: 'has', value: m[1]!, pos: i });
      i += m[0].length;
      continue;
    }
    if ((m = ALL_RE.exec(rest))) {
      toks.push({ kind: 'all', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if ((m = GLOBAL_RE.exec(rest))) {
      toks.push({ kind: 'global', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const punct = PUNCT.find(([p]) => rest.startsWith(p));
    if (punct) {
      toks.push({ kind: punct[1], value: punct[0], pos: i });
      i += punct[0].length;
      continue;
    }
    const c = input[i]!;
    if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new SelectorSyntaxError(`unterminated string literal (missing closing ${c})`, i, input);
      toks.push({ kind: 'string', value: input.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if ((m = LABEL_RE.exec(rest))) {
      checkLabelLength(m[0], i, input);
      toks.push({ kind: 'label', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new SelectorSyntaxError(`unexpected character ${JSON.stringify(c)}`, i, input);
  }
}

function checkLabelLength(label: string, pos: number, input: string): void {
  if (label.length > MAX_LABEL_LENGTH) {
    throw new SelectorSyntaxError(`label name longer than ${MAX_LABEL_LENGTH} characters`, pos, input);
  }
}

const DESCRIBE: Record<TokenKind, string> = {
  label: 'label', string: 'string literal', eq: "'=='", ne: "'!='", in: "'in'", notIn: "'not in'",
  contains: "'contains'", startsWith: "'starts with'", endsWith: "'ends with'", has: 'has()', all: 'all()',
  global: 'global()', not: "'!'", and: "'&&'", or: "'||'", lparen: "'('", rparen: "')'", lbrace: "'{'",
  rbrace: "'}'", comma: "','", eof: 'end of selector',
};

function describe(t: Token): string {
  if (t.kind === 'label') return `label ${JSON.stringify(t.value)}`;
  if (t.kind === 'string') return `string ${JSON.stringify(t.value)}`;
  return DESCRIBE[t.kind];
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly input: string) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private fail(t: Token, expected: string): never {
    throw new SelectorSyntaxError(`expected ${expected}, found ${describe(t)}`, t.pos, this.input);
  }
  private expect(kind: TokenKind): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, DESCRIBE[kind]);
    return t;
  }

  parseAll(): SelectorNode {
    if (this.peek().kind === 'eof') return { type: 'all' };
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, "'&&', '||' or end of selector");
    return node;
  }

  private parseOr(): SelectorNode {
    return this.parseJoined('or', () => this.parseAnd());
  }

  private parseAnd(): SelectorNode {
    return this.parseJoined('and', () => this.parseUnary());
  }

  /** operand (op operand)*: one node when there is a single operand. */
  private parseJoined(op: 'or' | 'and', operand: () => SelectorNode): SelectorNode {
    const operands = [operand()];
    while (this.peek().kind === op) {
      this.next();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { type: op, operands };
  }

  private parseUnary(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case 'not': {
        const operand = this.parseUnary();
        // `!!x` collapses to `x`, as Calico does.
        return operand.type === 'not' ? operand.operand : { type: 'not', operand };
      }
      case 'lparen': {
        const inner = this.parseOr();
        this.expect('rparen');
        return inner;
      }
      case 'all':
        return { type: 'all' };
      case 'global':
        return { type: 'global' };
      case 'has':
        return { type: 'has', label: t.value };
      case 'label':
        return this.parseOperation(t.value);
      default:
        this.fail(t, "a label, has(), all(), global(), '!' or '('");
    }
  }

  private parseOperation(label: string): SelectorNode {
    const op = this.next();
    switch (op.kind) {
      case 'eq':
        return { type: 'eq', label, value: this.expectString() };
      case 'ne':
        return { type: 'ne', label, value: this.expectString() };
      case 'contains':
        return { type: 'contains', label, value: this.expectString() };
      case 'startsWith':
        return { type: 'startsWith', label, value: this.expectString() };
      case 'endsWith':
        return { type: 'endsWith', label, value: this.expectString() };
      case 'in':
        return { type: 'in', label, values: this.parseSet() };
      case 'notIn':
        return { type: 'notIn', label, values: this.parseSet() };
      default:
        this.fail(op, `an operator after label ${JSON.stringify(label)} ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')`);
    }
  }

  private expectString(): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(t, 'a quoted string');
    return t.value;
  }

  private parseSet(): string[] {
    this.expect('lbrace');
    const values = new Set<string>();
    if (this.peek().kind === 'rbrace') {
      this.next();
      return [];
    }
    while (true) {
      values.add(this.expectString());
      const t = this.next();
      if (t.kind === 'rbrace') break;
      if (t.kind !== 'comma') this.fail(t, "',' or '}'");
    }
    // Sets are unordered: sort so the canonical form is stable.
    return [...values].sort();
  }
}

export function parseNode(input: string): SelectorNode {
  return new Parser(tokenize(input), input).parseAll();
}
