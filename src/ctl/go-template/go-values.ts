// How calicoctl's templates see resources: Go structs, not YAML maps. calicoctl executes the template on
// its []runtime.Object — one `<Kind>List` for `get KIND`, the resources themselves for `get KIND NAME…`
// or `get -f` — so fields have Go names: `.Items`, `.ObjectMeta.Name` or the promoted `.Name`, `.Kind`,
// `.Spec.CIDR`. A lowercase `.metadata` is an error there, and here. Labels and annotations are Go maps
// (`.Labels.app`; a missing key prints "<no value>").
import type { Resource } from '../../api/resource.ts';

/** A Go struct: exported fields found by name; Go names differ from JSON keys only in case (CIDR/cidr). */
export class GoStruct {
  constructor(
    readonly typeName: string,
    /** JSON key → value, in JSON order (Go's %v prints fields in declaration order; this is the nearest). */
    readonly fields: Map<string, unknown>,
    /** Embedded structs whose fields are promoted (TypeMeta, ObjectMeta). */
    readonly embedded: Array<[string, GoStruct]> = [],
    /** True when every field is known, so an unknown name is an error rather than an omitted zero value. */
    readonly closed = false,
  ) {}
}

/** A Go map[string]string (labels, annotations): keys are looked up exactly. */
export class GoMap {
  constructor(readonly entries: Map<string, unknown>) {}
}

/** A time (metav1.Time), printed as Go's time.Time.String() does. */
export class GoTime {
  constructor(readonly iso: string) {}
  toString(): string {
    const d = new Date(this.iso);
    if (Number.isNaN(d.getTime())) return this.iso;
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, '') + ' +0000 UTC';
  }
}

/** A field a resource omits: Go would hold the zero value, which we cannot type; it prints as "". */
export const ABSENT = Symbol('absent');
/** A map key that is not there: Go's text/template prints "<no value>". */
export const NO_VALUE = Symbol('no value');

const MAP_FIELDS = new Set(['labels', 'annotations', 'labelsToApply']);
const TIME_FIELDS = new Set(['creationTimestamp', 'deletionTimestamp']);
// metav1.ObjectMeta's fields (JSON names), all promoted into the resource by embedding.
const OBJECT_META_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences',
  'finalizers', 'managedFields'];

function convert(key: string, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => convert('', x));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (MAP_FIELDS.has(key)) return new GoMap(new Map(entries));
    return new GoStruct('struct', new Map(entries.map(([k, x]) => [k, convert(k, x)])));
  }
  if (TIME_FIELDS.has(key) && typeof v === 'string') return new GoTime(v);
  return v;
}

function typeMeta(kind: string, apiVersion: string): GoStruct {
  return new GoStruct('v1.TypeMeta', new Map<string, unknown>([['kind', kind], ['apiVersion', apiVersion]]), [], true);
}

function objectMeta(md: Record<string, unknown>): GoStruct {
  const fields = new Map<string, unknown>();
  for (const k of OBJECT_META_FIELDS) {
    if (md[k] !== undefined) fields.set(k, convert(k, md[k]));
    else if (MAP_FIELDS.has(k)) fields.set(k, new GoMap(new Map())); // a nil map prints as map[]
    else fields.set(k, ABSENT);
  }
  return new GoStruct('v1.ObjectMeta', fields, [], true);
}

export function goResource(r: Resource): GoStruct {
  const fields = new Map<string, unknown>([['spec', convert('spec', r.spec ?? {})]]);
  if (r.status !== undefined) fields.set('status', convert('status', r.status));
  return new GoStruct(`*v3.${r.kind}`, fields, [
    ['TypeMeta', typeMeta(r.kind, r.apiVersion)],
    ['ObjectMeta', objectMeta((r.metadata ?? {}) as unknown as Record<string, unknown>)],
  ], true);
}

export function goList(kind: string, apiVersion: string, items: Resource[], resourceVersion?: string): GoStruct {
  const listMeta = new GoStruct('v1.ListMeta', new Map<string, unknown>([['resourceVersion', resourceVersion ?? ABSENT],
    ['continue', ABSENT], ['selfLink', ABSENT], ['remainingItemCount', ABSENT]]), [], true);
  return new GoStruct(`*v3.${kind}List`, new Map<string, unknown>([['items', items.map(goResource)]]), [
    ['TypeMeta', typeMeta(`${kind}List`, apiVersion)],
    ['ListMeta', listMeta],
  ], true);
}

export type FieldResult = { found: true; value: unknown } | { found: false; reason: string };

/** `.Name` on a Go value, as text/template resolves it (exported names only; embedded fields promoted). */
export function goField(receiver: unknown, name: string): FieldResult {
  if (receiver instanceof GoMap) {
    return { found: true, value: receiver.entries.has(name) ? receiver.entries.get(name) : NO_VALUE };
  }
  if (!(receiver instanceof GoStruct)) {
    return { found: false, reason: `can't evaluate field ${name} in type ${goTypeName(receiver)}` };
  }
  if (!/^[A-Z]/.test(name)) {
    return { found: false, reason: `can't evaluate field ${name} in type ${receiver.typeName} (calicoctl templates use Go field names: .ObjectMeta.Name or .Name, .Spec.CIDR, .Items)` };
  }
  const hit = lookup(receiver, name);
  if (hit !== undefined) return hit;
  if (receiver.closed) return { found: false, reason: `can't evaluate field ${name} in type ${receiver.typeName}` };
  return { found: true, value: ABSENT };
}

function lookup(s: GoStruct, name: string): FieldResult | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of s.fields) if (k.toLowerCase() === lower) return { found: true, value: v };
  for (const [embeddedName, e] of s.embedded) {
    if (embeddedName === name) return { found: true, value: e };
  }
  for (const [, e] of s.embedded) {
    const hit = lookup(e, name);
    if (hit) return hit;
  }
  return undefined;
}

export function goTypeName(v: unknown): string {
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoMap) return 'map[string]string';
  if (v instanceof GoTime) return 'v1.Time';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === ABSENT || v === null || v === undefined) return 'interface {}';
  if (v === NO_VALUE) return 'invalid';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v;
}
