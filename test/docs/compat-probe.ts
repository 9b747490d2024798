// What Tabby does with one field of one projectcalico.org/v3 kind, found by asking the code rather than
// the docs: is the kind known, is the field accepted (validation does not call it unknown), and is it
// refused or warned about as accepted-but-not-enforced (src/api/unenforced.ts). docs/compatibility.md's
// field tables are checked against this, so the page cannot drift from the validator.
import { kindInfo } from '../../src/api/kinds.ts';
import { validateResource } from '../../src/api/validate.ts';
import { unenforcedFields } from '../../src/api/unenforced.ts';
import { API_VERSION } from '../../src/api/resource.ts';

export type Verdict = 'no-kind' | 'unknown' | 'no-status' | 'refused' | 'warned' | 'accepted';

/** `spec.ingress[].source.selector` → `{ ingress: [{ source: { selector: value } }] }` under the top key. */
function build(path: string, value: unknown): Record<string, unknown> {
  const segments = path.split('.');
  let v: unknown = value;
  for (let i = segments.length - 1; i >= 1; i--) {
    const seg = segments[i]!;
    const list = seg.endsWith('[]');
    const key = list ? seg.slice(0, -2) : seg;
    v = { [key]: list ? [v] : v };
  }
  return v as Record<string, unknown>;
}

function resource(kind: string, path: string, value: unknown): Record<string, unknown> {
  const info = kindInfo(kind);
  const top = path.split('.')[0]!.replace(/\[\]$/, '');
  const metadata = { name: 'probe', ...(info?.namespaced ? { namespace: 'default' } : {}) };
  return { apiVersion: API_VERSION, kind, metadata, [top]: build(path, value) };
}

/** Error paths use `a[0].b`; table paths use `a[].b`. */
const normalise = (field: string) => field.replace(/\[\d+\]/g, '[]');

// '65000:1:1' is a BGP large community, which BGPFilter rules refuse while accepting standard ones.
const PROBE_VALUES: unknown[] = ['x', true, 1, ['x'], { x: 'x' }, 'Drop', '65000:1:1'];

export function probeField(kind: string, path: string): { verdict: Verdict; reason?: string } {
  if (!kindInfo(kind)) return { verdict: 'no-kind' };
  const leaf = path.split('.').pop()!.replace(/\[\]$/, '');
  const sentinel = resource(kind, path, { __probe__: 1 });
  const errors = validateResource(sentinel);
  const bare = path.replace(/\[\]$/, '');
  if (errors.some((e) => normalise(e.field) === bare && e.message === `unknown field "${leaf}"`)) return { verdict: 'unknown' };
  if (path.startsWith('status') && errors.some((e) => e.field === 'status' && /has no status/.test(e.message))) return { verdict: 'no-status' };
  // Refused or warned when set to any plausible value (each rule fires on some value: a string, true, a list…).
  let warned: string | undefined;
  for (const value of PROBE_VALUES) {
    for (const f of unenforcedFields(resource(kind, path, value) as never)) {
      const at = normalise(f.field).replace(/\[\]/g, '');
      const flat = bare.replace(/\[\]/g, '');
      if (at !== flat && !flat.startsWith(`${at}.`) && at !== 'spec') continue;
      if (f.verdict === 'refuse') return { verdict: 'refused', reason: f.reason };
      warned ??= f.reason;
    }
  }
  return warned ? { verdict: 'warned', reason: warned } : { verdict: 'accepted' };
}
