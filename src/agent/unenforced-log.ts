// The agent's side of src/api/unenforced.ts: an object in the datastore with settings Tabby does not act on
// is logged (warning) once per version of the object, not at every recalculation. Refused fields can still
// be stored by writers other than `tabby` (etcdctl, an older version): they are logged as ignored.
import { resourceId, type Resource } from '../api/resource.ts';
import { unenforcedFields } from '../api/unenforced.ts';
import type { Logger } from '../log.ts';

export class UnenforcedReporter {
  /** Object id → the version last checked. */
  private readonly checked = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  /** Checks the current objects (all of the kinds this reporter covers); forgets objects that are gone. */
  check(objects: Iterable<Resource>): void {
    const present = new Set<string>();
    for (const r of objects) {
      const id = resourceId(r.kind, r.metadata.name, r.metadata.namespace);
      present.add(id);
      const version = r.metadata.resourceVersion ?? JSON.stringify(r.spec);
      if (this.checked.get(id) === version) continue;
      this.checked.set(id, version);
      const fields = unenforcedFields(r);
      const refused = fields.filter((f) => f.verdict === 'refuse');
      const warned = fields.filter((f) => f.verdict === 'warn');
      if (refused.length) this.log.warn({ resource: id, fields: refused.map((f) => `${f.field}: ${f.reason}`) }, 'unsupported settings ignored (tabby apply refuses them)');
      if (warned.length) this.log.warn({ resource: id, fields: warned.map((f) => `${f.field}: ${f.reason}`) }, 'settings accepted but not enforced by Tabby');
    }
    for (const id of this.checked.keys()) if (!present.has(id)) this.checked.delete(id);
  }
}
