// Recursive-descent parser for Calico's selector language, with libcalico-go `selector/parser`'s grammar:
//   or        := and ('||' and)*
//   and       := operation ('&&' operation)*
//   operation := '!'* ( has(label) | all() | global() | '(' or ')' | label op )
//   op        := ('==' | '!=' | 'contains' | 'starts with' | 'ends with') string
//              | ('in' | 'not in') '{' (string (',' string)* ','?)? '}'
// A run of '!' toggles: an even number cancels out, an odd number negates once. `!(!x)` stays a double
// negation, as upstream keeps it. Set literals are sorted (byte order) and de-duplicated.
import type { SelectorNode } from './ast.ts';
import { compareBytes } from './ast.ts';
import { SelectorSyntaxError, tokenize, type Token, type TokenKind } from './tokenizer.ts';

export { SelectorSyntaxError, tokenize } from './tokenizer.ts';

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

type StringOp = 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith';
const STRING_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>(['eq', 'ne', 'contains', 'startsWith', 'endsWith']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly input: string) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private fail(t: Token, expected: string): never {
    throw new SelectorSyntaxError(`expected ${expected}, found ${describe(t)}`, t.pos, this.input);
  }

  parseRoot(): SelectorNode {
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
    return this.parseJoined('and', () => this.parseOperation());
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

  private parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek().kind === 'not') {
      this.next();
      negated = !negated;
    }
    const node = this.parseTerm();
    return negated ? { type: 'not', operand: node } : node;
  }

  private parseTerm(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case 'has':
        return { type: 'has', label: t.value };
      case 'all':
        return { type: 'all' };
      case 'global':
        return { type: 'global' };
      case 'label':
        return this.parseComparison(t.value);
      case 'lparen': {
        const inner = this.parseOr();
        const close = this.next();
        if (close.kind !== 'rparen') this.fail(close, "')'");
        return inner;
      }
      default:
        this.fail(t, "a label, has(), all(), global(), '!' or '('");
    }
  }

  private parseComparison(label: string): SelectorNode {
    const op = this.next();
    if (STRING_OPS.has(op.kind)) {
      return { type: op.kind as StringOp, label, value: this.expectString() };
    }
    if (op.kind === 'in' || op.kind === 'notIn') {
      return { type: op.kind, label, values: this.parseSet() };
    }
    this.fail(op, `an operator after label ${JSON.stringify(label)} ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')`);
  }

  private expectString(): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(t, 'a quoted string');
    return t.value;
  }

  /** '{' then strings each followed by an optional ',' (so a trailing comma is fine), then '}'. */
  private parseSet(): string[] {
    const open = this.next();
    if (open.kind !== 'lbrace') this.fail(open, "'{' (a set literal)");
    const values = new Set<string>();
    let expectingValue = true;
    while (this.peek().kind === 'string') {
      values.add(this.next().value);
      expectingValue = this.peek().kind === 'comma';
      if (!expectingValue) break;
      this.next();
    }
    const close = this.next();
    if (close.kind !== 'rbrace') this.fail(close, expectingValue ? "a quoted string or '}'" : "',' or '}'");
    return [...values].sort(compareBytes);
  }
}

export function parseNode(input: string): SelectorNode {
  return new Parser(tokenize(input), input).parseRoot();
}
