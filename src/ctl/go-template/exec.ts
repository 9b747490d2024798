// Executes a parsed template the way Go's text/template does: dot and variables, truth (false, 0, "", nil,
// empty list/map are false), range over lists, maps (sorted keys) and integers, `{{else}}` when empty,
// pipelines passing the previous value as the last argument, and the functions calicoctl registers.
import { ABSENT, GoMap, GoStruct, NO_VALUE, goField, goTypeName } from './go-values.ts';
import { formatValue, joinAndTruncate, sprint, sprintf, sprintln } from './fmt.ts';
import { TemplateError, type Arg, type Command, type Node, type Pipeline, type Pos } from './parse.ts';

export interface TemplateFunctions {
  /** calicoctl's config("asnumber"): the global BGPConfiguration's AS number, or 64512. */
  config(name: string): string;
}

type Scope = Array<[string, unknown]>;
type ControlNode = Extract<Node, { pipeline: Pipeline; body: Node[] }>;

/** An execution failure at one action; execute() turns it into a TemplateError with Go's "executing" prefix. */
class ExecError extends TemplateError {
  constructor(readonly pos: Pos, readonly reason: string) {
    super(reason);
  }
}

export function isTrue(v: unknown): boolean {
  if (v === ABSENT || v === NO_VALUE || v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  return true; // structs and times are always true
}

export class TemplateExecutor {
  private out = '';
  constructor(private readonly name: string, private readonly fns: TemplateFunctions) {}

  /** Run the template; on an error Go has already written what came before it, so the error carries that. */
  execute(nodes: Node[], data: unknown): string {
    try {
      this.walk(nodes, data, [['$', data]]);
      return this.out;
    } catch (e) {
      if (!(e instanceof ExecError)) throw e;
      const at = e.pos.text.replace(/^\{\{-?\s*|\s*-?\}\}$/g, '');
      throw new TemplateError(`template: ${this.name}:${e.pos.line}:${e.pos.col + 1}: executing "${this.name}" at <${at}>: ${e.reason}`, this.out);
    }
  }

  private walk(nodes: Node[], dot: unknown, scope: Scope): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const v = this.pipeline(node.pipeline, dot, scope);
          if (node.pipeline.decl.length === 0) this.out += formatValue(v);
          break;
        }
        case 'if':
        case 'with': {
          const inner: Scope = [...scope];
          const v = this.pipeline(node.pipeline, dot, inner);
          if (isTrue(v)) this.walk(node.body, node.type === 'with' ? v : dot, inner);
          else if (node.elseBody) this.walk(node.elseBody, dot, inner);
          break;
        }
        case 'range':
          this.range(node, dot, scope);
          break;
      }
    }
  }

  private range(node: ControlNode, dot: unknown, scope: Scope): void {
    const p = node.pipeline;
    const value = this.pipeline({ ...p, decl: [] }, dot, scope);
    let items: Array<[unknown, unknown]>;
    if (Array.isArray(value)) items = value.map((x, i) => [i, x]);
    else if (value instanceof GoMap) items = [...value.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    else if (typeof value === 'number' && Number.isInteger(value)) items = Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
    else if (value === ABSENT || value === null || value === NO_VALUE) items = [];
    else throw new ExecError(p.pos, `range can't iterate over ${formatValue(value)}`);
    if (items.length === 0) {
      if (node.elseBody) this.walk(node.elseBody, dot, [...scope]);
      return;
    }
    for (const [key, elem] of items) {
      const inner: Scope = [...scope];
      if (p.decl.length === 1) inner.push([p.decl[0]!, elem]);
      if (p.decl.length === 2) inner.push([p.decl[0]!, key], [p.decl[1]!, elem]);
      this.walk(node.body, elem, inner);
    }
  }

  private pipeline(p: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown;
    let hasValue = false;
    for (const cmd of p.commands) {
      value = this.command(cmd, dot, scope, hasValue ? [value] : []);
      hasValue = true;
    }
    if (p.decl.length === 1) {
      const name = p.decl[0]!;
      if (p.assign) {
        const slot = [...scope].reverse().find(([n]) => n === name);
        if (!slot) throw new ExecError(p.pos, `undefined variable: ${name}`);
        slot[1] = value;
      } else {
        scope.push([name, value]);
      }
    }
    return value;
  }

  private command(cmd: Command, dot: unknown, scope: Scope, piped: unknown[]): unknown {
    const [first, ...rest] = cmd.args;
    if (first!.type === 'function') {
      const args = [...rest.map((a) => this.arg(a, dot, scope, cmd.pos)), ...piped];
      return this.call(first!.name, args, cmd.pos);
    }
    if (rest.length > 0 || piped.length > 0) {
      throw new ExecError(cmd.pos, `can't give argument to non-function ${describeArg(first!)}`);
    }
    return this.arg(first!, dot, scope, cmd.pos);
  }

  private arg(a: Arg, dot: unknown, scope: Scope, pos: Pos): unknown {
    switch (a.type) {
      case 'dot': return dot;
      case 'field': return this.chain(dot, a.chain, pos);
      case 'variable': {
        const slot = [...scope].reverse().find(([n]) => n === a.name);
        if (!slot) throw new ExecError(pos, `undefined variable: ${a.name}`);
        return this.chain(slot[1], a.chain, pos);
      }
      case 'string':
      case 'number':
      case 'bool': return a.value;
      case 'nil': return null;
      case 'pipeline': return this.chain(this.pipeline(a.pipeline, dot, [...scope]), a.chain, pos);
      case 'function': return this.call(a.name, [], pos);
    }
  }

  private chain(value: unknown, chain: string[], pos: Pos): unknown {
    let v = value;
    for (const name of chain) {
      if (v === ABSENT) return ABSENT; // a field of an omitted struct: Go's zero value, printed empty
      const r = goField(v, name);
      if (!r.found) throw new ExecError(pos, r.reason);
      v = r.value;
    }
    return v;
  }

  private call(name: string, args: unknown[], pos: Pos): unknown {
    const need = (n: number) => {
      if (args.length !== n) throw new ExecError(pos, `wrong number of args for ${name}: want ${n} got ${args.length}`);
    };
    switch (name) {
      case 'and': case 'or': {
        if (args.length === 0) throw new ExecError(pos, `wrong number of args for ${name}: want at least 1 got 0`);
        // Go 1.18+ evaluates lazily; the arguments here are already plain values, so only the choice matters.
        for (const a of args.slice(0, -1)) if (isTrue(a) === (name === 'or')) return a;
        return args[args.length - 1];
      }
      case 'not': need(1); return !isTrue(args[0]);
      case 'len': need(1); return lengthOf(args[0], pos);
      case 'index': return indexInto(args, pos);
      case 'print': return sprint(args);
      case 'println': return sprintln(args);
      case 'printf': {
        if (typeof args[0] !== 'string') throw new ExecError(pos, 'printf: the format must be a string');
        return sprintf(args[0], args.slice(1));
      }
      case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge': return compare(name, args, pos);
      case 'join': need(2); return joinAndTruncate(args[0], stringArg(args[1], name, pos), 0);
      case 'joinAndTruncate': {
        need(3);
        if (typeof args[2] !== 'number') throw new ExecError(pos, 'joinAndTruncate: maxLen must be an int');
        return joinAndTruncate(args[0], stringArg(args[1], name, pos), args[2]);
      }
      case 'config': need(1); return this.fns.config(stringArg(args[0], name, pos));
      default:
        throw new ExecError(pos, `function "${name}" not defined`);
    }
  }
}

function describeArg(a: Arg): string {
  if (a.type === 'field') return `.${a.chain.join('.')}`;
  if (a.type === 'variable') return a.name + (a.chain.length ? `.${a.chain.join('.')}` : '');
  if (a.type === 'string') return JSON.stringify(a.value);
  return a.type === 'dot' ? '.' : String((a as { value?: unknown }).value ?? a.type);
}

function stringArg(v: unknown, fn: string, pos: Pos): string {
  if (typeof v !== 'string') throw new ExecError(pos, `error calling ${fn}: wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

function lengthOf(v: unknown, pos: Pos): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoMap) return v.entries.size;
  if (v instanceof GoStruct && v.fields.size === 0) return 0;
  throw new ExecError(pos, `error calling len: len of type ${goTypeName(v)}`);
}

function indexInto(args: unknown[], pos: Pos): unknown {
  if (args.length === 0) throw new ExecError(pos, 'wrong number of args for index: want at least 1 got 0');
  let v = args[0];
  for (const key of args.slice(1)) {
    if (Array.isArray(v)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new ExecError(pos, 'error calling index: cannot index slice/array with non-integer');
      if (key < 0 || key >= v.length) throw new ExecError(pos, `error calling index: index out of range: ${key}`);
      v = v[key];
    } else if (v instanceof GoMap) {
      v = v.entries.has(String(key)) ? v.entries.get(String(key)) : '';
    } else {
      throw new ExecError(pos, `error calling index: can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

function comparable(v: unknown): string | number | boolean | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v === ABSENT) return '';
  return undefined;
}

function compare(op: string, args: unknown[], pos: Pos): boolean {
  if (args.length < 2 || (op !== 'eq' && args.length !== 2)) {
    throw new ExecError(pos, `wrong number of args for ${op}: want ${op === 'eq' ? 'at least 2' : 2} got ${args.length}`);
  }
  const a = comparable(args[0]);
  const others = args.slice(1).map(comparable);
  if (a === undefined || others.some((b) => b === undefined)) throw new ExecError(pos, `error calling ${op}: incompatible types for comparison`);
  for (const b of others) if (typeof a !== typeof b) throw new ExecError(pos, `error calling ${op}: incompatible types for comparison`);
  if (op === 'eq') return others.some((b) => b === a);
  const b = others[0]!;
  if (typeof a === 'boolean') throw new ExecError(pos, `error calling ${op}: invalid type for comparison`);
  switch (op) {
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    default: return a >= b;
  }
}
