// Rendering the desired ruleset to nft text and applying it: one atomic `nft -f <tempfile>` per sync.
// Incremental syncs send only what changed against the last applied model (set elements, flushed and
// refilled chains, verdict-map elements); a full sync atomically replaces the whole table. The kernel is
// read back with `nft -j list table` to detect drift.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from '../exec.ts';
import type { NftChainModel, NftMapModel, NftSetModel, RulesetModel } from './calc.ts';

/** Runs `nft <args>` (possibly inside a namespace) and resolves with stdout; rejects with stderr in the message. */
export type NftRunner = (args: string[]) => Promise<string>;

export function execRunner(prefix: string[] = [], binary = 'nft'): NftRunner {
  // A full sync of a large ruleset can take a while: a longer timeout than src/exec.ts's default.
  return (args) => mustRun([...prefix, binary, ...args], { timeoutMs: 120_000 });
}

/** A runner that executes nft inside a named network namespace (`ip netns exec <ns> nft ...`). */
export function netnsRunner(ns: string, binary = 'nft'): NftRunner {
  return execRunner(['ip', 'netns', 'exec', ns], binary);
}

const ELEMENT_CHUNK = 20_000;

function tableRef(rs: RulesetModel): string { return `${rs.family} ${rs.table}`; }

function setDecl(t: string, s: NftSetModel): string {
  return `add set ${t} ${s.name} { type ${s.type};${s.interval ? ' flags interval;' : ''} }`;
}

function mapDecl(t: string, m: NftMapModel): string {
  return `add map ${t} ${m.name} { type ${m.keyType} : verdict; }`;
}

function chainDecl(t: string, c: NftChainModel): string {
  if (!c.base) return `add chain ${t} ${c.name}`;
  const b = c.base;
  return `add chain ${t} ${c.name} { type ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy}; }`;
}

function elementLines(verb: 'add' | 'delete', t: string, name: string, elems: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < elems.length; i += ELEMENT_CHUNK) {
    out.push(`${verb} element ${t} ${name} { ${elems.slice(i, i + ELEMENT_CHUNK).join(', ')} }`);
  }
  return out;
}

function mapElems(m: Map<string, string>): string[] {
  return [...m].map(([k, v]) => `${k} : ${v}`);
}

/** A transaction that atomically replaces the whole table with `rs`. */
export function renderFull(rs: RulesetModel): string {
  const t = tableRef(rs);
  const out: string[] = [`add table ${t}`, `delete table ${t}`, `add table ${t}`];
  for (const s of rs.sets.values()) {
    out.push(setDecl(t, s));
    out.push(...elementLines('add', t, s.name, [...s.elements]));
  }
  for (const m of rs.maps.values()) out.push(mapDecl(t, m));
  for (const c of rs.chains.values()) out.push(chainDecl(t, c));
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(`add rule ${t} ${c.name} ${r}`);
  for (const m of rs.maps.values()) out.push(...elementLines('add', t, m.name, mapElems(m.elements)));
  return out.join('\n') + '\n';
}

function sameBase(a: NftChainModel, b: NftChainModel): boolean {
  return JSON.stringify(a.base ?? null) === JSON.stringify(b.base ?? null);
}

function sameRules(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface DiffResult {
  /** nft transaction text; empty when nothing changed. */
  text: string;
  /** Counts for logs/metrics. */
  changes: { sets: number; elements: number; chains: number; rules: number; removedChains: number };
  /** True when the change can't be expressed incrementally (base chain changed): caller must sync fully. */
  needsFull: boolean;
}

/** The smallest transaction taking the kernel from `prev` (what we last applied) to `next`. */
export function renderDiff(prev: RulesetModel, next: RulesetModel): DiffResult {
  const t = tableRef(next);
  const changes = { sets: 0, elements: 0, chains: 0, rules: 0, removedChains: 0 };
  if (prev.family !== next.family || prev.table !== next.table) return { text: '', changes, needsFull: true };
  for (const [name, c] of next.chains) {
    const p = prev.chains.get(name);
    if ((p && !sameBase(p, c)) || (!p && c.base)) return { text: '', changes, needsFull: true };
  }
  for (const [name, p] of prev.chains) if (p.base && !next.chains.has(name)) return { text: '', changes, needsFull: true };
  for (const [name, s] of next.sets) {
    const p = prev.sets.get(name);
    if (p && (p.type !== s.type || p.interval !== s.interval)) return { text: '', changes, needsFull: true };
  }

  const out: string[] = [];
  // 1. Sets: create new ones, then element deltas (deletes first so re-shaped intervals never overlap).
  for (const [name, s] of next.sets) {
    const p = prev.sets.get(name);
    if (p === s) continue; // unchanged model object (the calculator reuses it when membership is unchanged)
    if (!p) {
      out.push(setDecl(t, s));
      out.push(...elementLines('add', t, name, [...s.elements]));
      changes.sets++;
      changes.elements += s.elements.size;
      continue;
    }
    const removed = [...p.elements].filter((e) => !s.elements.has(e));
    const added = [...s.elements].filter((e) => !p.elements.has(e));
    out.push(...elementLines('delete', t, name, removed), ...elementLines('add', t, name, added));
    changes.elements += removed.length + added.length;
  }
  // 2. New maps (elements later, once the chains they point at exist).
  for (const [name, m] of next.maps) if (!prev.maps.has(name)) out.push(mapDecl(t, m));
  // 3. New chains, empty, so that any rule may jump to them.
  for (const [name, c] of next.chains) if (!prev.chains.has(name)) out.push(chainDecl(t, c));
  // 4. Rules of new chains and of chains whose rules changed.
  for (const [name, c] of next.chains) {
    const p = prev.chains.get(name);
    if (p && sameRules(p.rules, c.rules)) continue;
    if (p) out.push(`flush chain ${t} ${name}`);
    for (const r of c.rules) out.push(`add rule ${t} ${name} ${r}`);
    changes.chains++;
    changes.rules += c.rules.length;
  }
  // 5. Verdict-map element deltas.
  for (const [name, m] of next.maps) {
    const p = prev.maps.get(name);
    const old = p?.elements ?? new Map<string, string>();
    const removed = [...old].filter(([k, v]) => m.elements.get(k) !== v).map(([k]) => k);
    const added = new Map([...m.elements].filter(([k, v]) => old.get(k) !== v));
    out.push(...elementLines('delete', t, name, removed), ...elementLines('add', t, name, mapElems(added)));
    changes.elements += removed.length + added.size;
  }
  // 6. Chains that are gone: empty them all first (they may jump to each other), then delete.
  const gone = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const n of gone) out.push(`flush chain ${t} ${n}`);
  for (const n of gone) out.push(`delete chain ${t} ${n}`);
  changes.removedChains = gone.length;
  // 7. Maps and sets that are gone (nothing references them any more).
  for (const n of prev.maps.keys()) if (!next.maps.has(n)) out.push(`delete map ${t} ${n}`);
  for (const n of prev.sets.keys()) if (!next.sets.has(n)) { out.push(`delete set ${t} ${n}`); changes.sets++; }
  return { text: out.length ? out.join('\n') + '\n' : '', changes, needsFull: false };
}

/** Apply one transaction atomically through a temp file (nft can't read Node's stdin pipes). */
export async function applyTransaction(run: NftRunner, text: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tabby-nft-'));
  const file = join(dir, 'tx.nft');
  try {
    await writeFile(file, text);
    await run(['-f', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the kernel holds for our table, reduced to what we compare: chain rule counts, set sizes. */
export interface KernelSummary {
  chains: Map<string, { rules: number; hook?: string }>;
  sets: Map<string, number>;
  maps: Map<string, number>;
}

/** Read our table back (`nft -j list table`); undefined if the table does not exist. */
export async function readKernel(run: NftRunner, family: string, table: string): Promise<KernelSummary | undefined> {
  let out: string;
  try {
    out = await run(['-j', 'list', 'table', family, table]);
  } catch (e) {
    if (/No such file or directory|does not exist/i.test((e as Error).message)) return undefined;
    throw e;
  }
  const parsed = JSON.parse(out) as { nftables?: Array<Record<string, any>> };
  const summary: KernelSummary = { chains: new Map(), sets: new Map(), maps: new Map() };
  for (const obj of parsed.nftables ?? []) {
    if (obj.chain) summary.chains.set(obj.chain.name, { rules: 0, hook: obj.chain.hook });
    else if (obj.set) summary.sets.set(obj.set.name, Array.isArray(obj.set.elem) ? obj.set.elem.length : 0);
    else if (obj.map) summary.maps.set(obj.map.name, Array.isArray(obj.map.elem) ? obj.map.elem.length : 0);
  }
  for (const obj of parsed.nftables ?? []) {
    if (obj.rule) {
      const c = summary.chains.get(obj.rule.chain);
      if (c) c.rules++;
    }
  }
  return summary;
}

/** Why the kernel differs from `rs` (first difference found), or undefined if they agree. */
export function driftReason(rs: RulesetModel, k: KernelSummary): string | undefined {
  for (const [name, c] of rs.chains) {
    const kc = k.chains.get(name);
    if (!kc) return `chain ${name} missing`;
    if (kc.rules !== c.rules.length) return `chain ${name} has ${kc.rules} rules, expected ${c.rules.length}`;
  }
  for (const name of k.chains.keys()) if (!rs.chains.has(name)) return `unexpected chain ${name}`;
  for (const [name, s] of rs.sets) {
    const n = k.sets.get(name);
    if (n === undefined) return `set ${name} missing`;
    if (n !== s.elements.size) return `set ${name} has ${n} elements, expected ${s.elements.size}`;
  }
  for (const name of k.sets.keys()) if (!rs.sets.has(name)) return `unexpected set ${name}`;
  for (const [name, m] of rs.maps) {
    const n = k.maps.get(name);
    if (n === undefined) return `map ${name} missing`;
    if (n !== m.elements.size) return `map ${name} has ${n} elements, expected ${m.elements.size}`;
  }
  for (const name of k.maps.keys()) if (!rs.maps.has(name)) return `unexpected map ${name}`;
  return undefined;
}
