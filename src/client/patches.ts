// The three patch types of `tabby patch -t` (kubectl's and calicoctl's names): JSON Patch (RFC 6902), JSON
// Merge Patch (RFC 7386) and strategic merge patch. Pure: each takes the current object and returns a new
// one, or throws PatchError naming the operation and path that cannot apply (nothing is half-applied).
import { isPlainObject } from '../api/schema.ts';
import { TabbyError } from '../errors.ts';

export type PatchType = 'strategic' | 'merge' | 'json';
export const PATCH_TYPES: readonly PatchType[] = ['strategic', 'merge', 'json'];

export class PatchError extends TabbyError {
  constructor(message: string) {
    super('InvalidPatch', message);
    this.name = 'PatchError';
  }
}

/** RFC 7386: objects merge member by member, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Strategic merge patch as Kubernetes applies it to a type that declares no list merge keys (Calico's v3
 * types declare none): maps merge, null deletes, lists are replaced whole; a map may carry the directive
 * `$patch: replace` (use the rest of the map as is) or `$patch: delete` (remove the map).
 */
export function strategicMergePatch(target: unknown, patch: unknown, path = ''): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const directive = patch.$patch;
  const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
  if (directive !== undefined) {
    if (directive === 'replace') return stripDirectives(rest, path);
    if (directive === 'delete') return undefined;
    if (directive !== 'merge') throw new PatchError(`${path || '/'}: unknown $patch directive ${JSON.stringify(directive)} (want replace, delete or merge)`);
  }
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(rest)) {
    if (k.startsWith('$')) throw new PatchError(`${path}/${k}: strategic merge directive ${k} is not supported (only $patch: replace|delete|merge)`);
    if (v === null) { delete out[k]; continue; }
    const merged = strategicMergePatch(out[k], v, `${path}/${k}`);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function stripDirectives(obj: Record<string, unknown>, path: string): Record<string, unknown> {
  for (const k of Object.keys(obj)) if (k.startsWith('$')) throw new PatchError(`${path}/${k}: directive not allowed in a replaced map`);
  return structuredClone(obj);
}

/** RFC 6901 JSON Pointer → reference tokens. */
function pointerTokens(pointer: unknown, where: string): string[] {
  if (typeof pointer !== 'string') throw new PatchError(`${where}: must be a JSON Pointer string`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`${where}: JSON Pointer "${pointer}" must start with "/"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** An array index token: digits without leading zeros (RFC 6901 §4), or "-" (one past the end) where allowed. */
function arrayIndex(token: string, length: number, allowEnd: boolean, where: string): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`${where}: "${token}" is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new PatchError(`${where}: index ${i} is out of range (array length ${length})`);
  return i;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, tokens: string[], where: string): { parent: unknown; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, where)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new PatchError(`${where}: path does not exist`);
  }
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function getAt(doc: unknown, tokens: string[], where: string): unknown {
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, where);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false, where)];
  if (isPlainObject(parent) && Object.hasOwn(parent, key)) return parent[key];
  throw new PatchError(`${where}: path does not exist`);
}

function addAt(doc: unknown, tokens: string[], value: unknown, where: string): unknown {
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, where);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, where), 0, value);
  else if (isPlainObject(parent)) parent[key] = value;
  else throw new PatchError(`${where}: parent is not an object or array`);
  return doc;
}

function removeAt(doc: unknown, tokens: string[], where: string): unknown {
  if (tokens.length === 0) throw new PatchError(`${where}: cannot remove the whole document`);
  const { parent, key } = parentOf(doc, tokens, where);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false, where), 1);
  else if (isPlainObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw new PatchError(`${where}: path does not exist`);
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 6902 JSON Patch: the operations apply in order to a copy; any failure rejects the whole patch. */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  patch.forEach((op, i) => {
    const where = `operation ${i}`;
    if (!isPlainObject(op)) throw new PatchError(`${where}: must be an object`);
    const path = pointerTokens(op.path, `${where} (${String(op.op)}) path`);
    const at = `${where} (${String(op.op)} ${String(op.path)})`;
    const value = () => {
      if (!Object.hasOwn(op, 'value')) throw new PatchError(`${at}: "value" is required`);
      return structuredClone(op.value);
    };
    switch (op.op) {
      case 'add': doc = addAt(doc, path, value(), at); break;
      case 'remove': doc = removeAt(doc, path, at); break;
      case 'replace': getAt(doc, path, at); doc = addAt(path.length ? removeAt(doc, path, at) : doc, path, value(), at); break;
      case 'move': {
        const from = pointerTokens(op.from, `${where} (move) from`);
        if (path.length > from.length && from.every((t, j) => path[j] === t)) throw new PatchError(`${at}: cannot move a value into one of its own children`);
        const v = getAt(doc, from, at);
        doc = addAt(removeAt(doc, from, at), path, v, at);
        break;
      }
      case 'copy': doc = addAt(doc, path, structuredClone(getAt(doc, pointerTokens(op.from, `${where} (copy) from`), at)), at); break;
      case 'test':
        if (!deepEqual(getAt(doc, path, at), value())) throw new PatchError(`${at}: test failed: the value is ${JSON.stringify(getAt(doc, path, at))}`);
        break;
      default: throw new PatchError(`${where}: unknown op ${JSON.stringify(op.op)} (want add, remove, replace, move, copy or test)`);
    }
  });
  return doc;
}

/** Apply a patch of the given type. */
export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case 'json': return jsonPatch(target, patch);
    case 'merge':
      if (!isPlainObject(patch)) throw new PatchError('a merge patch must be a JSON object');
      return mergePatch(target, patch);
    case 'strategic':
      if (!isPlainObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
      return strategicMergePatch(target, patch);
  }
}
