// What a selector requires of individual labels, as libcalico-go's LabelRestrictions computes it: a label
// that must be present, must be absent, or must have one of a few values. An index can use this to look
// only at endpoints that could match; an impossible restriction (present and absent, or an empty value
// list) means the selector matches nothing. Conservative: `undefined` means "no restriction known".
import { compareBytes, type SelectorNode } from './ast.ts';

export interface LabelRestriction {
  mustBePresent: boolean;
  mustBeAbsent: boolean;
  /** undefined: any value; [] : no value can satisfy the selector. */
  mustHaveOneOfValues?: string[];
}

export type LabelRestrictions = Map<string, LabelRestriction>;

export function possibleToSatisfy(r: LabelRestriction): boolean {
  if (r.mustBePresent && r.mustBeAbsent) return false;
  return r.mustHaveOneOfValues === undefined || r.mustHaveOneOfValues.length > 0;
}

function single(label: string, r: Partial<LabelRestriction>): LabelRestrictions {
  return new Map([[label, { mustBePresent: false, mustBeAbsent: false, ...r }]]);
}

/** Sorted, de-duplicated copy (Calico's string set). */
function stringSet(values: string[]): string[] {
  return [...new Set(values)].sort(compareBytes);
}

/** The restrictions of one node; undefined when it restricts no label (Go's nil map). */
export function labelRestrictions(node: SelectorNode): LabelRestrictions | undefined {
  switch (node.type) {
    case 'eq':
      return single(node.label, { mustBePresent: true, mustHaveOneOfValues: [node.value] });
    case 'in':
      return single(node.label, { mustBePresent: true, mustHaveOneOfValues: [...node.values] });
    case 'has':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return single(node.label, { mustBePresent: true });
    case 'not':
      // Only !has(k) says something definite (k absent); any other negation could match either way.
      return node.operand.type === 'has' ? single(node.operand.label, { mustBeAbsent: true }) : undefined;
    case 'and':
      return andRestrictions(node.operands);
    case 'or':
      return orRestrictions(node.operands);
    default: // ne, notIn, all, global: satisfiable with the label absent or with any value
      return undefined;
  }
}

function andRestrictions(operands: SelectorNode[]): LabelRestrictions | undefined {
  const out: LabelRestrictions = new Map();
  for (const operand of operands) {
    for (const [label, r] of labelRestrictions(operand) ?? []) {
      const base = out.get(label) ?? { mustBePresent: false, mustBeAbsent: false };
      let values = base.mustHaveOneOfValues;
      if (values === undefined) values = r.mustHaveOneOfValues;
      else if (r.mustHaveOneOfValues !== undefined) {
        const allowed = new Set(r.mustHaveOneOfValues);
        values = values.filter((v) => allowed.has(v));
      }
      out.set(label, {
        mustBePresent: base.mustBePresent || r.mustBePresent,
        mustBeAbsent: base.mustBeAbsent || r.mustBeAbsent,
        ...(values !== undefined ? { mustHaveOneOfValues: values } : {}),
      });
    }
  }
  return out.size === 0 ? undefined : out;
}

/** A restriction survives an OR only if every branch imposes it; value lists are united. */
function orRestrictions(operands: SelectorNode[]): LabelRestrictions | undefined {
  const out = labelRestrictions(operands[0]!);
  if (out === undefined) return undefined;
  for (const operand of operands.slice(1)) {
    const other = labelRestrictions(operand);
    for (const [label, r] of [...out]) {
      const o = other?.get(label) ?? { mustBePresent: false, mustBeAbsent: false };
      const mustBePresent = r.mustBePresent && o.mustBePresent;
      const mustBeAbsent = r.mustBeAbsent && o.mustBeAbsent;
      let values: string[] | undefined;
      if (mustBePresent && r.mustHaveOneOfValues !== undefined && o.mustHaveOneOfValues !== undefined) {
        const mine = stringSet(r.mustHaveOneOfValues);
        values = [...mine, ...o.mustHaveOneOfValues.filter((v) => !mine.includes(v))];
      }
      if (mustBePresent || mustBeAbsent) {
        out.set(label, { mustBePresent, mustBeAbsent, ...(values !== undefined ? { mustHaveOneOfValues: values } : {}) });
      } else {
        out.delete(label);
      }
    }
  }
  return out.size === 0 ? undefined : out;
}
