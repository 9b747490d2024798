// The subset of Go's text/template that calicoctl's `-o go-template=…` users write, parsed the way Go
// parses it: text and {{actions}} with `{{-`/`-}}` trimming and {{/* comments */}}; pipelines of fields
// (.Spec.CIDR), variables ($, $x, $x.Field), literals, function calls and `|`; {{if}}/{{else if}}/
// {{else}}, {{range}} (with `$i, $e :=`), {{with}}, {{end}}. {{define}}, {{template}}, {{block}},
// {{break}} and {{continue}} are refused by name rather than misread.
import { TabbyError } from '../../errors.ts';

export class TemplateError extends TabbyError {
  /** What the template wrote before failing (Go writes it to stdout before returning the error). */
  constructor(message: string, readonly partialOutput = '') {
    super('TemplateError', message);
    this.name = 'TemplateError';
  }
}

export type Arg =
  | { type: 'dot'; chain: string[] }
  | { type: 'field'; chain: string[] }
  | { type: 'variable'; name: string; chain: string[] }
  | { type: 'function'; name: string }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'pipeline'; pipeline: Pipeline; chain: string[] };

export interface Command { args: Arg[]; pos: Pos }
export interface Pipeline { decl: string[]; assign: boolean; commands: Command[]; pos: Pos }
export interface Pos { line: number; col: number; text: string }

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipeline: Pipeline }
  | { type: 'if' | 'with' | 'range'; pipeline: Pipeline; body: Node[]; elseBody: Node[] | undefined };

/** Functions the executor defines: Go's builtins that make sense here plus calicoctl's join/joinAndTruncate/config. */
export const KNOWN_FUNCTIONS = new Set([
  'and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  'join', 'joinAndTruncate', 'config',
]);
const GO_ONLY_FUNCTIONS = new Set(['html', 'js', 'urlquery', 'slice', 'call']);
const UNSUPPORTED_KEYWORDS = new Set(['define', 'template', 'block', 'break', 'continue']);

interface RawAction { body: string; pos: Pos }
type Piece = { type: 'text'; text: string } | { type: 'action'; action: RawAction };

/** Split into text and actions, applying the trim markers (`{{- ` and ` -}}` need the space). */
function split(src: string, name: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) pieces.push({ type: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(src.slice(start, start + 2))) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    if (text) pieces.push({ type: 'text', text });
    const close = findClose(src, start, name);
    let end = close;
    trimNext = false;
    if (/[ \t\r\n]-$/.test(src.slice(close - 2, close)) && close - 2 >= start) {
      end = close - 1;
      trimNext = true;
    }
    pieces.push({ type: 'action', action: { body: src.slice(start, end), pos: position(src, open, name) } });
    i = close + 2;
  }
  return pieces;
}

/** The `}}` closing the action at `start`, skipping quoted strings (a "}}" inside quotes is text). */
function findClose(src: string, start: number, name: string): number {
  if (src.startsWith('/*', start) || /^[ \t\r\n]*\/\*/.test(src.slice(start, start + 3))) {
    const endComment = src.indexOf('*/', start);
    if (endComment < 0) throw new TemplateError(`template: ${name}:${position(src, start, name).line}: unclosed comment`);
    const close = src.indexOf('}}', endComment);
    if (close < 0) throw new TemplateError(`template: ${name}:${position(src, start, name).line}: unclosed action`);
    return close;
  }
  let j = start;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '"' || c === '`' || c === "'") {
      const endQuote = c === '`' ? src.indexOf('`', j + 1) : closingQuote(src, j);
      if (endQuote < 0) break;
      j = endQuote + 1;
      continue;
    }
    if (src.startsWith('}}', j)) return j;
    j++;
  }
  throw new TemplateError(`template: ${name}:${position(src, start, name).line}: unclosed action`);
}

function closingQuote(src: string, j: number): number {
  const q = src[j]!;
  for (let k = j + 1; k < src.length; k++) {
    if (src[k] === '\\') { k++; continue; }
    if (src[k] === q) return k;
    if (src[k] === '\n') return -1;
  }
  return -1;
}

function position(src: string, offset: number, _name: string): Pos {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n') - 1;
  const end = src.indexOf('}}', offset);
  return { line, col, text: src.slice(offset, end < 0 ? undefined : end + 2) };
}

type Tok =
  | { t: 'word'; v: string } | { t: 'field'; v: string[] } | { t: 'var'; v: string; chain: string[] }
  | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'punct'; v: '(' | ')' | '|' | ':=' | '=' | ',' }
  | { t: 'chain'; v: string[] };

const FIELD_RE = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER_RE = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/;

/** Tokens of one action's body. */
function lexAction(body: string, err: (m: string) => never): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const ws = /^[ \t\r\n]+/.exec(rest);
    if (ws) { i += ws[0].length; continue; }
    const [tok, length] = lexOne(rest, toks[toks.length - 1], err);
    toks.push(tok);
    i += length;
  }
  return toks;
}

/** The token at the start of `rest` and how many characters it took. */
function lexOne(rest: string, prev: Tok | undefined, err: (m: string) => never): [Tok, number] {
  const field = FIELD_RE.exec(rest);
  if (field) {
    const chain = field[0].slice(1).split('.');
    // `(pipeline).Field`: a chain applied to the parenthesised value
    return [prev?.t === 'punct' && prev.v === ')' ? { t: 'chain', v: chain } : { t: 'field', v: chain }, field[0].length];
  }
  if (rest[0] === '.') return [{ t: 'field', v: [] }, 1];
  const variable = /^\$[A-Za-z0-9_]*/.exec(rest);
  if (variable) {
    const chain = FIELD_RE.exec(rest.slice(variable[0].length));
    const length = variable[0].length + (chain ? chain[0].length : 0);
    return [{ t: 'var', v: variable[0], chain: chain ? chain[0].slice(1).split('.') : [] }, length];
  }
  if (rest[0] === '"') {
    const end = closingQuote(rest, 0);
    if (end < 0) err('unterminated quoted string');
    return [{ t: 'str', v: unquote(rest.slice(0, end + 1), err) }, end + 1];
  }
  if (rest[0] === '`') {
    const end = rest.indexOf('`', 1);
    if (end < 0) err('unterminated raw quoted string');
    return [{ t: 'str', v: rest.slice(1, end) }, end + 1];
  }
  if (rest[0] === "'") err('character constants are not supported by tabby\'s go-template; use a "string"');
  const punct = /^(:=|[()|=,])/.exec(rest);
  if (punct) return [{ t: 'punct', v: punct[0] as ':=' }, punct[0].length];
  const num = NUMBER_RE.exec(rest);
  if (num && /\d/.test(num[0])) {
    const n = Number(num[0].replace(/_/g, ''));
    if (Number.isNaN(n)) err(`bad number syntax: "${num[0]}"`);
    return [{ t: 'num', v: n }, num[0].length];
  }
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (word) return [{ t: 'word', v: word[0] }, word[0].length];
  return err(`unexpected ${JSON.stringify(rest[0])} in command`);
}

/** A Go interpreted string literal: JSON handles \" \\ \n \t \uXXXX; Go's \xNN and \a \v are mapped first. */
function unquote(lit: string, err: (m: string) => never): string {
  const body = lit.slice(1, -1).replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => `\\u00${h}`)
    .replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, "'");
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return err(`invalid syntax in string ${lit}`);
  }
}

export function parseTemplate(src: string, name = 'get'): Node[] {
  return new TemplateParser(split(src, name), name).parseRoot();
}

class TemplateParser {
  private i = 0;
  constructor(private readonly pieces: Piece[], private readonly name: string) {}

  private fail(pos: Pos, message: string): never {
    throw new TemplateError(`template: ${this.name}:${pos.line}: ${message}`);
  }

  parseRoot(): Node[] {
    const { nodes, stop } = this.parseList();
    if (stop) this.fail(stop.pos, `unexpected {{${stop.word}}}`);
    return nodes;
  }

  /** Nodes up to an {{end}} or {{else…}} (returned as `stop`), or the end of input. */
  private parseList(): { nodes: Node[]; stop?: { word: 'end' | 'else'; rest: Tok[]; pos: Pos } } {
    const nodes: Node[] = [];
    while (this.i < this.pieces.length) {
      const piece = this.pieces[this.i++]!;
      if (piece.type === 'text') { nodes.push(piece); continue; }
      const { body, pos } = piece.action;
      if (/^[ \t\r\n]*\/\*[\s\S]*\*\/[ \t\r\n]*$/.test(body)) continue; // comment
      const toks = lexAction(body, (m) => this.fail(pos, m));
      if (toks.length === 0) this.fail(pos, 'missing value for command');
      const head = toks[0]!;
      if (head.t === 'word' && (head.v === 'end' || head.v === 'else')) {
        return { nodes, stop: { word: head.v, rest: toks.slice(1), pos } };
      }
      if (head.t === 'word' && UNSUPPORTED_KEYWORDS.has(head.v)) {
        this.fail(pos, `{{${head.v}}} is not supported by tabby's go-template (supported: if, else, range, with, end, variables, pipelines)`);
      }
      if (head.t === 'word' && (head.v === 'if' || head.v === 'with' || head.v === 'range')) {
        nodes.push(this.parseControl(head.v, toks.slice(1), pos));
        continue;
      }
      nodes.push({ type: 'action', pipeline: this.parsePipeline(toks, pos, true) });
    }
    return { nodes };
  }

  private parseControl(kind: 'if' | 'with' | 'range', toks: Tok[], pos: Pos): Node {
    const pipeline = this.parsePipeline(toks, pos, true, kind === 'range');
    const { nodes: body, stop } = this.parseList();
    if (!stop) this.fail(pos, `unexpected EOF (missing {{end}} for {{${kind}}})`);
    if (stop.word === 'end') {
      if (stop.rest.length) this.fail(stop.pos, 'unexpected words after {{end}}');
      return { type: kind, pipeline, body, elseBody: undefined };
    }
    // {{else}} or, for if/with, the chained {{else if …}} / {{else with …}}
    const next = stop.rest[0];
    if (next?.t === 'word' && (next.v === 'if' || next.v === 'with') && kind !== 'range') {
      const chained = this.parseControl(next.v, stop.rest.slice(1), stop.pos);
      return { type: kind, pipeline, body, elseBody: [chained] };
    }
    if (stop.rest.length) this.fail(stop.pos, 'unexpected words after {{else}}');
    const { nodes: elseBody, stop: end } = this.parseList();
    if (!end || end.word !== 'end') this.fail(stop.pos, `expected {{end}} after {{else}} of {{${kind}}}`);
    if (end.rest.length) this.fail(end.pos, 'unexpected words after {{end}}');
    return { type: kind, pipeline, body, elseBody };
  }

  private parsePipeline(toks: Tok[], pos: Pos, top: boolean, allowTwoVars = false): Pipeline {
    let k = 0;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, or in range `$i, $e :=`
    if (top && toks[0]?.t === 'var' && toks[0].chain.length === 0) {
      const second = toks[1];
      if (second?.t === 'punct' && (second.v === ':=' || second.v === '=')) {
        decl.push(toks[0].v); assign = second.v === '='; k = 2;
      } else if (allowTwoVars && second?.t === 'punct' && second.v === ',' && toks[2]?.t === 'var' && toks[3]?.t === 'punct' && toks[3].v === ':=') {
        decl.push(toks[0].v, (toks[2] as { v: string }).v); k = 4;
      }
    }
    const commands: Command[] = [];
    let current: Arg[] = [];
    const finish = () => {
      if (current.length === 0) this.fail(pos, 'missing command in pipeline');
      commands.push({ args: current, pos });
      current = [];
    };
    while (k < toks.length) {
      const t = toks[k]!;
      if (t.t === 'punct' && t.v === '|') { finish(); k++; continue; }
      if (t.t === 'punct' && t.v === '(') {
        const close = matchingParen(toks, k);
        if (close < 0) this.fail(pos, 'unclosed left paren');
        const inner = this.parsePipeline(toks.slice(k + 1, close), pos, false);
        const chainTok = toks[close + 1];
        const chain = chainTok?.t === 'chain' ? chainTok.v : [];
        current.push({ type: 'pipeline', pipeline: inner, chain });
        k = close + (chain.length ? 2 : 1);
        continue;
      }
      current.push(this.operand(t, pos));
      k++;
    }
    finish();
    return { decl, assign, commands, pos };
  }

  private operand(t: Tok, pos: Pos): Arg {
    switch (t.t) {
      case 'field': return t.v.length ? { type: 'field', chain: t.v } : { type: 'dot', chain: [] };
      case 'var': return { type: 'variable', name: t.v, chain: t.chain };
      case 'str': return { type: 'string', value: t.v };
      case 'num': return { type: 'number', value: t.v };
      case 'word':
        if (t.v === 'true' || t.v === 'false') return { type: 'bool', value: t.v === 'true' };
        if (t.v === 'nil') return { type: 'nil' };
        if (GO_ONLY_FUNCTIONS.has(t.v)) this.fail(pos, `function "${t.v}" is not supported by tabby's go-template`);
        if (!KNOWN_FUNCTIONS.has(t.v)) this.fail(pos, `function "${t.v}" not defined`);
        return { type: 'function', name: t.v };
      default:
        this.fail(pos, `unexpected "${t.t === 'punct' ? t.v : t.t}" in operand`);
    }
  }
}

function matchingParen(toks: Tok[], open: number): number {
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.t !== 'punct') continue;
    if (t.v === '(') depth++;
    else if (t.v === ')' && --depth === 0) return k;
  }
  return -1;
}
