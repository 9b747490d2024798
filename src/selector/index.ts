// Calico's label selector language: parse once (cached), evaluate many times.
// `parseSelector('')` is all(). Errors are SelectorSyntaxError with the offending position.
import { collectLabelKeys, containsGlobal, evaluateNode, printNode, type Labels, type SelectorNode } from './ast.ts';
import { parseNode, SelectorSyntaxError } from './parser.ts';
import { labelRestrictions, type LabelRestrictions } from './restrictions.ts';
import { createHash } from 'node:crypto';

export type { SelectorNode, Labels } from './ast.ts';
export { SelectorSyntaxError } from './parser.ts';
export { evaluateNode, printNode } from './ast.ts';
export { tokenize, isValidSelectorLabel, type Token, type TokenKind } from './tokenizer.ts';
export { possibleToSatisfy, type LabelRestriction, type LabelRestrictions } from './restrictions.ts';

export interface Selector {
  /** The parsed tree (for compiling selectors into IP sets). */
  readonly ast: SelectorNode;
  /** True if the selector contains global() anywhere; the caller decides what that means. */
  readonly usesGlobal: boolean;
  evaluate(labels: Labels): boolean;
  /** Canonical form; parsing it again yields an equal selector. */
  toString(): string;
  /** Label keys the selector reads, sorted. */
  labelKeys(): string[];
  /** Per-label requirements every match satisfies (Calico's LabelRestrictions); undefined when none. */
  labelRestrictions(): LabelRestrictions | undefined;
  /** Calico's selector UniqueID: "s:" + base64url(SHA-224("s:" + canonical form)). */
  uniqueId(): string;
}

class ParsedSelector implements Selector {
  readonly usesGlobal: boolean;
  private readonly canonical: string;
  private readonly keys: string[];

  constructor(readonly ast: SelectorNode) {
    this.usesGlobal = containsGlobal(ast);
    this.canonical = printNode(ast);
    const keys = new Set<string>();
    collectLabelKeys(ast, keys);
    this.keys = [...keys].sort();
  }

  evaluate(labels: Labels): boolean {
    return evaluateNode(this.ast, labels);
  }

  toString(): string {
    return this.canonical;
  }

  labelKeys(): string[] {
    return [...this.keys];
  }

  labelRestrictions(): LabelRestrictions | undefined {
    return labelRestrictions(this.ast);
  }

  uniqueId(): string {
    return 's:' + createHash('sha224').update('s:' + this.canonical).digest('base64url');
  }
}

/** A small LRU: Map iteration order is insertion order, so re-inserting on hit keeps recent entries last. */
class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}

const cache = new LruCache<string, Selector>(1024);

/** Parse (or fetch from the cache) a selector. Throws SelectorSyntaxError. */
export function parseSelector(expr: string): Selector {
  const hit = cache.get(expr);
  if (hit) return hit;
  const sel = new ParsedSelector(parseNode(expr));
  cache.set(expr, sel);
  return sel;
}

/** Validate without keeping the result: the error message, or undefined when valid. */
export function selectorError(expr: string): string | undefined {
  try {
    parseSelector(expr);
    return undefined;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return e.message;
    throw e;
  }
}

/** Number of cached parsed selectors (for tests and metrics). */
export function selectorCacheSize(): number {
  return cache.size;
}

export function clearSelectorCache(): void {
  cache.clear();
}
