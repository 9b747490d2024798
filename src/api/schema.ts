// A small structural schema language for v3 resources: each node checks one JSON value and records
// problems as {field, value, message}. Unknown fields are errors (calicoctl decodes strictly), so a typo
// like `ipipmode` is reported instead of silently ignored. Kind-specific rules live in validate.ts.

export interface FieldError {
  /** Dotted path from the resource root, e.g. `spec.ingress[0].source.nets[1]`. */
  field: string;
  value: unknown;
  message: string;
}

export type Schema = (value: unknown, path: string, errs: FieldError[]) => void;

/** A check on an already type-checked value: returns a message when the value is bad. */
export type ValueCheck<T> = (v: T) => string | undefined;

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function str(...checks: ValueCheck<string>[]): Schema {
  return (v, path, errs) => {
    if (typeof v !== 'string') {
      errs.push({ field: path, value: v, message: `must be a string, not ${typeName(v)}` });
      return;
    }
    for (const c of checks) {
      const m = c(v);
      if (m) { errs.push({ field: path, value: v, message: m }); return; }
    }
  };
}

export function oneOf(...allowed: string[]): Schema {
  return str((s) => (allowed.includes(s) ? undefined : `must be one of ${allowed.join(', ')}`));
}

export function int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Schema {
  return (v, path, errs) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      errs.push({ field: path, value: v, message: `must be an integer, not ${typeName(v)}` });
    } else if (v < min || v > max) {
      errs.push({ field: path, value: v, message: `must be between ${min} and ${max}` });
    }
  };
}

export function num(): Schema {
  return (v, path, errs) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) errs.push({ field: path, value: v, message: `must be a number, not ${typeName(v)}` });
  };
}

export function bool(): Schema {
  return (v, path, errs) => {
    if (typeof v !== 'boolean') errs.push({ field: path, value: v, message: `must be true or false, not ${typeName(v)}` });
  };
}

/** Anything JSON (fields whose content Tabby stores but does not interpret). */
export function anything(): Schema {
  return () => {};
}

export function list(item: Schema, max?: number): Schema {
  return (v, path, errs) => {
    if (!Array.isArray(v)) {
      errs.push({ field: path, value: v, message: `must be a list, not ${typeName(v)}` });
      return;
    }
    if (max !== undefined && v.length > max) {
      // One error for the count; checking each of the items too would repeat it in thousands of messages.
      errs.push({ field: path, value: `${v.length} items`, message: `must have at most ${max} items` });
      return;
    }
    v.forEach((x, i) => item(x, `${path}[${i}]`, errs));
  };
}

/**
 * A map of `value`s whose keys pass `key`. With `maxEntries`, a map over the limit gets one error and its
 * entries are not checked one by one (a 100k-entry map costs one count, not 100k messages).
 */
export function mapOf(value: Schema, key?: ValueCheck<string>, maxEntries?: { max: number; what: string }): Schema {
  return (v, path, errs) => {
    if (!isPlainObject(v)) {
      errs.push({ field: path, value: v, message: `must be a map, not ${typeName(v)}` });
      return;
    }
    if (maxEntries) {
      const count = Object.keys(v).length;
      if (count > maxEntries.max) {
        errs.push({ field: path, value: `${count} ${maxEntries.what}`, message: `may have at most ${maxEntries.max} ${maxEntries.what}` });
        return;
      }
    }
    for (const [k, x] of Object.entries(v)) {
      const m = key?.(k);
      if (m) errs.push({ field: `${path}[${JSON.stringify(k)}]`, value: k, message: m });
      value(x, join(path, k), errs);
    }
  };
}

export interface ObjectOptions {
  required?: string[];
  /** Allow fields not listed (stored as given). */
  open?: boolean;
}

export function obj(fields: Record<string, Schema>, opts: ObjectOptions = {}): Schema {
  return (v, path, errs) => {
    if (!isPlainObject(v)) {
      errs.push({ field: path, value: v, message: `must be an object, not ${typeName(v)}` });
      return;
    }
    for (const r of opts.required ?? []) {
      if (v[r] === undefined || v[r] === null || v[r] === '') errs.push({ field: join(path, r), value: v[r] ?? '', message: 'is required' });
    }
    for (const [k, x] of Object.entries(v)) {
      const f = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : undefined;
      if (!f) {
        if (!opts.open) errs.push({ field: join(path, k), value: x, message: `unknown field "${k}"` });
        continue;
      }
      if (x === null) continue; // JSON null = unset, as Go's decoder treats it
      f(x, join(path, k), errs);
    }
  };
}

/** Either of two shapes (e.g. a port as number or string): the first whose type matches decides. */
export function numberOrString(asNumber: Schema, asString: Schema): Schema {
  return (v, path, errs) => {
    if (typeof v === 'number') asNumber(v, path, errs);
    else if (typeof v === 'string') asString(v, path, errs);
    else errs.push({ field: path, value: v, message: `must be a number or a string, not ${typeName(v)}` });
  };
}

/** Run a schema and then, if it found nothing, a whole-value check (for cross-field rules). */
export function refine<T>(base: Schema, check: (v: T, path: string, errs: FieldError[]) => void): Schema {
  return (v, path, errs) => {
    const before = errs.length;
    base(v, path, errs);
    if (errs.length === before) check(v as T, path, errs);
  };
}

/** Like refine, but the check runs even when the base found problems (it must tolerate bad field types). */
export function refineAlways<T>(base: Schema, check: (v: T, path: string, errs: FieldError[]) => void): Schema {
  return (v, path, errs) => {
    base(v, path, errs);
    if (isPlainObject(v)) check(v as T, path, errs);
  };
}
