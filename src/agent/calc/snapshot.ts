// The in-memory copy of the datastore the calculation reads: kind → key → resource. Pure data; the
// syncer fills it from list + watch. Every change bumps `version` so callers can skip work when idle.
import type { Resource } from '../../api/resource.ts';

/** The kinds the node agent reads. */
export const AGENT_KINDS = ['Node', 'IPPool', 'IPAMBlock', 'WorkloadEndpoint', 'FelixConfiguration'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export function keyOf(r: Resource): string {
  return `${r.metadata.namespace ?? ''}/${r.metadata.name}`;
}

export class Snapshot {
  private readonly byKind = new Map<string, Map<string, Resource>>();
  /** Incremented on every change that altered the contents. */
  version = 0;
  /** Per kind: the value of `version` at that kind's last change (consumers of a few kinds skip the rest's changes). */
  private readonly changedAt = new Map<string, number>();

  constructor(kinds: readonly string[] = AGENT_KINDS) {
    for (const k of kinds) this.byKind.set(k, new Map());
  }

  kinds(): string[] { return [...this.byKind.keys()]; }

  items(kind: string): Iterable<Resource> {
    return this.byKind.get(kind)?.values() ?? [];
  }

  /** A number that changes whenever any of `kinds` changes (the sum of their last-change versions). */
  versionOf(kinds: readonly string[]): number {
    let v = 0;
    for (const k of kinds) v += this.changedAt.get(k) ?? 0;
    return v;
  }

  size(kind: string): number { return this.byKind.get(kind)?.size ?? 0; }

  get(kind: string, name: string, namespace?: string): Resource | undefined {
    return this.byKind.get(kind)?.get(`${namespace ?? ''}/${name}`);
  }

  /** Insert or replace; returns false (and leaves version alone) when nothing changed. */
  set(r: Resource): boolean {
    const m = this.byKind.get(r.kind);
    if (!m) return false;
    const k = keyOf(r);
    const old = m.get(k);
    if (old && old.metadata.resourceVersion !== undefined && old.metadata.resourceVersion === r.metadata.resourceVersion) return false;
    m.set(k, r);
    this.changedAt.set(r.kind, ++this.version);
    return true;
  }

  delete(r: Resource): boolean {
    const m = this.byKind.get(r.kind);
    if (!m || !m.delete(keyOf(r))) return false;
    this.changedAt.set(r.kind, ++this.version);
    return true;
  }

  /** Replace one kind's contents wholesale (after a list). */
  replaceKind(kind: string, items: Resource[]): void {
    const m = new Map<string, Resource>();
    for (const r of items) m.set(keyOf(r), r);
    this.byKind.set(kind, m);
    this.changedAt.set(kind, ++this.version);
  }
}
