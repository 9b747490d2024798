// YAML/JSON input in linear time. The yaml library's own duplicate-key check compares every new key with
// every earlier key of its map (quadratic: 100k labels took ~88 s), so it is switched off and done here
// with one Set per map: same rule (two equal scalar keys in one map), same message, linear cost.
import { LineCounter, isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml';

export interface DuplicateKey {
  key: string;
  line: number;
  col: number;
}

/** Parses every document of `text` without the library's quadratic key check; see firstDuplicateKey. */
export function parseYamlDocuments(text: string): { docs: Document.Parsed[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { uniqueKeys: false, lineCounter });
  return { docs: Array.isArray(docs) ? docs : [], lineCounter };
}

/**
 * The first key that repeats an earlier key of the same map, or undefined. Scalars are equal when their
 * values are (as the library's default check has it: `1` and `"1"` differ); collection keys never are.
 */
export function firstDuplicateKey(doc: Document.Parsed, lineCounter: LineCounter): DuplicateKey | undefined {
  let found: DuplicateKey | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (seen.has(value)) {
          const pos = lineCounter.linePos(pair.key.range?.[0] ?? 0);
          found = { key: String(value), line: pos.line, col: pos.col };
          return visit.BREAK;
        }
        seen.add(value);
      }
      return undefined;
    },
  });
  return found;
}
