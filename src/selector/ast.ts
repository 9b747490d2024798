// The selector AST (libcalico-go `selector/parser` node types) with evaluation and canonical printing.
// Pure: no I/O. The policy engine walks this tree to compile selectors into IP sets.

export type SelectorNode =
  | { type: 'all' }
  | { type: 'global' }
  | { type: 'has'; label: string }
  | { type: 'eq'; label: string; value: string }
  | { type: 'ne'; label: string; value: string }
  | { type: 'in'; label: string; values: string[] }
  | { type: 'notIn'; label: string; values: string[] }
  | { type: 'contains'; label: string; value: string }
  | { type: 'startsWith'; label: string; value: string }
  | { type: 'endsWith'; label: string; value: string }
  | { type: 'not'; operand: SelectorNode }
  | { type: 'and'; operands: SelectorNode[] }
  | { type: 'or'; operands: SelectorNode[] };

export type Labels = Readonly<Record<string, string>>;

function get(labels: Labels, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

export function evaluateNode(node: SelectorNode, labels: Labels): boolean {
  switch (node.type) {
    case 'all':
      return true;
    case 'global':
      // global() is a marker the caller interprets (non-namespaced endpoints); as a label match it is true.
      return true;
    case 'has':
      return get(labels, node.label) !== undefined;
    case 'eq':
      return get(labels, node.label) === node.value;
    case 'ne':
      return get(labels, node.label) !== node.value; // true when absent
    case 'in': {
      const v = get(labels, node.label);
      return v !== undefined && node.values.includes(v);
    }
    case 'notIn': {
      const v = get(labels, node.label);
      return v === undefined || !node.values.includes(v); // true when absent
    }
    case 'contains': {
      const v = get(labels, node.label);
      return v !== undefined && v.includes(node.value);
    }
    case 'startsWith': {
      const v = get(labels, node.label);
      return v !== undefined && v.startsWith(node.value);
    }
    case 'endsWith': {
      const v = get(labels, node.label);
      return v !== undefined && v.endsWith(node.value);
    }
    case 'not':
      return !evaluateNode(node.operand, labels);
    case 'and':
      for (const o of node.operands) if (!evaluateNode(o, labels)) return false;
      return true;
    case 'or':
      for (const o of node.operands) if (evaluateNode(o, labels)) return true;
      return false;
  }
}

/** Go's string order (bytes of the UTF-8 encoding), which Calico uses to sort set literals. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A string literal as Calico prints it: double quotes unless the value contains one (no escapes exist). */
export function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/** Canonical text, as libcalico-go's String(): `a == "b"`, `(x && y)`, `!has(k)`, `k in {"a", "b"}`. */
export function printNode(node: SelectorNode): string {
  switch (node.type) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${node.label})`;
    case 'eq':
      return `${node.label} == ${quote(node.value)}`;
    case 'ne':
      return `${node.label} != ${quote(node.value)}`;
    case 'in':
      return `${node.label} in {${node.values.map(quote).join(', ')}}`;
    case 'notIn':
      return `${node.label} not in {${node.values.map(quote).join(', ')}}`;
    case 'contains':
      return `${node.label} contains ${quote(node.value)}`;
    case 'startsWith':
      return `${node.label} starts with ${quote(node.value)}`;
    case 'endsWith':
      return `${node.label} ends with ${quote(node.value)}`;
    case 'not':
      return `!${printNode(node.operand)}`;
    case 'and':
      return `(${node.operands.map(printNode).join(' && ')})`;
    case 'or':
      return `(${node.operands.map(printNode).join(' || ')})`;
  }
}

export function collectLabelKeys(node: SelectorNode, out: Set<string>): void {
  switch (node.type) {
    case 'all':
    case 'global':
      return;
    case 'not':
      collectLabelKeys(node.operand, out);
      return;
    case 'and':
    case 'or':
      for (const o of node.operands) collectLabelKeys(o, out);
      return;
    default:
      out.add(node.label);
  }
}

export function containsGlobal(node: SelectorNode): boolean {
  switch (node.type) {
    case 'global':
      return true;
    case 'not':
      return containsGlobal(node.operand);
    case 'and':
    case 'or':
      return node.operands.some(containsGlobal);
    default:
      return false;
  }
}
