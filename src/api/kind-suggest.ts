// What `tabby` says about a resource type it does not know: calicoctl's "resource type 'X' is not supported",
// then the kinds it does know and, when one is close to what was typed (a typo, a missing plural), that one.
import { KINDS } from './kinds.ts';

/** Kinds a user may name on the command line (the IPAM internals are read through `ipam`, not here). */
export function userKinds(): string[] {
  return KINDS.filter((k) => !k.ipam).map((k) => k.kind);
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The kind closest to what was typed, comparing against every name a kind answers to (kind, plural, short
 * names). Only a near miss counts: at most a third of the typed length, and never more than 3 edits.
 */
export function nearestKind(typed: string): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { kind: string; d: number } | undefined;
  for (const k of KINDS) {
    if (k.ipam) continue;
    for (const name of [k.kind, k.plural, ...k.aliases]) {
      const d = editDistance(typed, name);
      if (d <= limit && (!best || d < best.d)) best = { kind: k.kind, d };
    }
  }
  return best?.kind;
}

/** The full message for an unknown resource type. */
export function unknownKindMessage(typed: string): string {
  const nearest = nearestKind(typed);
  const hint = nearest ? ` Did you mean '${nearest}'?` : '';
  return `resource type '${typed}' is not supported.${hint} Supported types: ${userKinds().join(', ')}`;
}
