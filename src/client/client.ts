// A validated client over a Datastore, in the role of libcalico-go's clientv3: every write is defaulted and
// validated, checked against the rest of the store (pool overlap, immutable fields, tiers), then written with
// compare-and-swap. The CLI uses it, and so can any component that writes user-facing resources.
import { isDatastoreError, DatastoreError, type Datastore } from '../datastore/types.ts';
import { kindInfo, type KindInfo } from '../api/kinds.ts';
import { unknownKindMessage } from '../api/kind-suggest.ts';
import { API_VERSION, resourceId, type Resource } from '../api/resource.ts';
import { applyDefaults, DEFAULT_NAMESPACE, DEFAULT_TIER } from '../api/defaults.ts';
import { ValidationError, describeResource, validateResource, type FieldError } from '../api/validate.ts';
import { refusedFields } from '../api/unenforced.ts';
import { cidrsOverlap, tryParseCIDR } from '../net/ip.ts';
import { isPlainObject } from '../api/schema.ts';
import { TabbyError } from '../errors.ts';
import { applyPatch, type PatchType } from './patches.ts';

export type WriteMode = 'create' | 'apply' | 'replace';

/** The resource is of a kind users cannot write (IPAM internals) or is not a known kind at all. */
export class UnsupportedKindError extends TabbyError {
  constructor(readonly kind: string, message: string) {
    super('UnsupportedKind', message);
    this.name = 'UnsupportedKindError';
  }
}

export interface ClientOptions {
  /** Namespace for namespaced objects that do not name one. @default "default" */
  defaultNamespace?: string | undefined;
  /** Allow writing IPAMBlock/BlockAffinity/IPAMHandle (only the IPAM allocator should). @default false */
  allowIpamKinds?: boolean;
  /** CAS retries for apply/patch/label when another writer wins the race. @default 5 */
  conflictRetries?: number;
}

/** A resource ready to be written: defaulted, valid, and checked against the store. */
export interface PreparedWrite {
  mode: WriteMode;
  obj: Resource;
  /** The stored object it replaces (apply of an existing object, replace). */
  existing?: Resource | undefined;
}

// RFC 7386 lives with the other patch types; re-exported for callers that used it from here.
export { mergePatch } from './patches.ts';

/** libcalico-go's ErrorResourceDoesNotExist text: `resource does not exist: Kind(name) with error: ...`. */
export function notFound(kind: string, name: string, namespace?: string, cause?: string): DatastoreError {
  const id = resourceId(kind, name, namespace);
  return new DatastoreError('NotFound', `resource does not exist: ${id} with error: ${cause ?? `${kind} "${name}" not found`}`);
}

export class ResourceClient {
  private readonly defaultNamespace: string;
  private readonly allowIpamKinds: boolean;
  private readonly conflictRetries: number;

  constructor(readonly datastore: Datastore, opts: ClientOptions = {}) {
    this.defaultNamespace = opts.defaultNamespace ?? DEFAULT_NAMESPACE;
    this.allowIpamKinds = opts.allowIpamKinds ?? false;
    this.conflictRetries = opts.conflictRetries ?? 5;
  }

  /** The kind info for a writable kind, or UnsupportedKindError. */
  writableKind(kind: unknown): KindInfo {
    const info = typeof kind === 'string' ? kindInfo(kind) : undefined;
    if (!info) throw new UnsupportedKindError(String(kind ?? ''), unknownKindMessage(String(kind ?? '')));
    if (info.ipam && !this.allowIpamKinds) {
      throw new UnsupportedKindError(info.kind, `resource type '${info.kind}' cannot be written: IPAM objects change only through IPAM operations (tabby ipam)`);
    }
    return info;
  }

  /** Default and validate without looking at the store. Throws ValidationError / UnsupportedKindError. */
  normalize(input: unknown): Resource {
    if (!isPlainObject(input)) throw new ValidationError('resource', [{ field: '(document)', value: input, message: 'a resource must be a YAML/JSON object' }]);
    const info = this.writableKind(input.kind);
    const obj = applyDefaults(input as unknown as Resource, { namespaced: info.namespaced, defaultNamespace: this.defaultNamespace });
    const errs = validateResource(obj);
    // Valid Calico, but settings a user would rely on for security that Tabby cannot honour (src/api/unenforced.ts).
    if (errs.length === 0) errs.push(...refusedFields(obj));
    if (errs.length) throw new ValidationError(describeResource(obj), errs);
    if (!info.namespaced) delete obj.metadata.namespace; // '' is allowed in files; never store it
    return obj;
  }

  /**
   * Everything a write would check, without writing. `pending` are other objects about to be written in the
   * same batch (a multi-document file), so conflicts among them are caught before anything is stored.
   */
  async prepare(input: unknown, mode: WriteMode, pending: Resource[] = []): Promise<PreparedWrite> {
    const obj = this.normalize(input);
    const md = obj.metadata;
    const existing = await this.datastore.get(obj.kind, md.name, md.namespace);
    const id = resourceId(obj.kind, md.name, md.namespace);
    if (mode === 'create') {
      if (md.resourceVersion) throw new ValidationError(id, [{ field: 'metadata.resourceVersion', value: md.resourceVersion, message: 'field must not be set for a create request' }]);
      if (existing) throw new DatastoreError('AlreadyExists', `resource already exists: ${id}`);
    }
    if (mode === 'replace' && !existing) throw notFound(obj.kind, md.name, md.namespace);
    if (mode !== 'create' && existing && md.resourceVersion && md.resourceVersion !== existing.metadata.resourceVersion) {
      throw new DatastoreError('Conflict', `update conflict: ${id}: resource version '${md.resourceVersion}' is out of date (latest: ${existing.metadata.resourceVersion}). Update the resource YAML/JSON in order to make changes.`);
    }
    const errs = await this.crossChecks(obj, existing, pending);
    if (errs.length) throw new ValidationError(id, errs);
    return { mode, obj, existing: mode === 'create' ? undefined : existing };
  }

  /** Write a prepared object. apply/replace without a resourceVersion use the stored one (last writer wins). */
  async commit(p: PreparedWrite): Promise<Resource> {
    const obj = structuredClone(p.obj);
    if (p.mode === 'create' || !p.existing) {
      delete obj.metadata.resourceVersion;
      delete obj.metadata.uid;
      delete obj.metadata.creationTimestamp;
      return this.datastore.create(obj);
    }
    const storedVersion = p.existing.metadata.resourceVersion;
    if (!obj.metadata.resourceVersion && storedVersion !== undefined) obj.metadata.resourceVersion = storedVersion;
    return this.datastore.update(obj);
  }

  async create(input: unknown): Promise<Resource> {
    return this.commit(await this.prepare(input, 'create'));
  }

  async replace(input: unknown): Promise<Resource> {
    return this.commit(await this.prepare(input, 'replace'));
  }

  /** Create or update. Without a user-supplied resourceVersion, a lost race is retried on fresh state. */
  async apply(input: unknown): Promise<Resource> {
    const pinned = isPlainObject(input) && isPlainObject(input.metadata) && !!input.metadata.resourceVersion;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.commit(await this.prepare(input, 'apply'));
      } catch (e) {
        const raced = isDatastoreError(e, 'Conflict') || isDatastoreError(e, 'AlreadyExists') || isDatastoreError(e, 'NotFound');
        if (pinned || !raced || attempt >= this.conflictRetries) throw e;
      }
    }
  }

  async get(kind: string, name: string, namespace?: string): Promise<Resource> {
    const info = this.kind(kind);
    const ns = info.namespaced ? namespace ?? this.defaultNamespace : undefined;
    const r = await this.datastore.get(info.kind, name, ns);
    if (!r) throw notFound(info.kind, name, ns);
    return r;
  }

  /** List a kind; namespace undefined = all namespaces (namespaced kinds). */
  async list(kind: string, namespace?: string): Promise<Resource[]> {
    const info = this.kind(kind);
    return (await this.datastore.list(info.kind, info.namespaced && namespace !== undefined ? { namespace } : {})).items;
  }

  async delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource> {
    const info = this.writableKind(kind);
    const ns = info.namespaced ? namespace || this.defaultNamespace : undefined;
    if (info.kind === 'Tier') await this.checkTierUnused(name);
    try {
      return await this.datastore.delete(info.kind, name, ns, resourceVersion || undefined);
    } catch (e) {
      if (isDatastoreError(e, 'NotFound')) throw notFound(info.kind, name, ns, e.message);
      throw e;
    }
  }

  /** Read-modify-write with CAS, retried when another writer got in between. */
  async modify(kind: string, name: string, namespace: string | undefined, change: (current: Resource) => unknown): Promise<Resource> {
    const info = this.writableKind(kind);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(info.kind, name, namespace);
      const next = change(structuredClone(current));
      if (!isPlainObject(next)) throw new ValidationError(resourceId(info.kind, name, current.metadata.namespace), [{ field: '(document)', value: next, message: 'the result must be an object' }]);
      const md = isPlainObject(next.metadata) ? next.metadata : (next.metadata = {});
      // Identity is fixed by the command line; a patch may not rename or move the object.
      for (const f of ['name', 'namespace'] as const) {
        if (md[f] !== undefined && md[f] !== current.metadata[f]) {
          throw new ValidationError(resourceId(info.kind, name, current.metadata.namespace), [{ field: `metadata.${f}`, value: md[f], message: 'cannot be changed' }]);
        }
      }
      md.resourceVersion ??= current.metadata.resourceVersion;
      const pinned = md.resourceVersion !== current.metadata.resourceVersion;
      try {
        return await this.commit(await this.prepare(next, 'replace'));
      } catch (e) {
        if (pinned || !isDatastoreError(e, 'Conflict') || attempt >= this.conflictRetries) throw e;
      }
    }
  }

  /** Patch an existing resource: JSON merge patch (RFC 7386) unless another type is given. */
  async patch(kind: string, name: string, namespace: string | undefined, patch: unknown, type: PatchType = 'merge'): Promise<Resource> {
    const id = resourceId(kind, name, namespace);
    if (type !== 'json' && !isPlainObject(patch)) throw new ValidationError(id, [{ field: '(patch)', value: patch, message: `a ${type === 'merge' ? 'merge' : 'strategic merge'} patch must be a JSON object` }]);
    return this.modify(kind, name, namespace, (cur) => {
      // A patch that cannot apply throws PatchError, naming the operation and path.
      const next = applyPatch(type, cur, patch) as Resource;
      if (isPlainObject(next)) next.apiVersion ??= API_VERSION;
      return next;
    });
  }

  private kind(kind: string): KindInfo {
    const info = kindInfo(kind);
    if (!info) throw new UnsupportedKindError(kind, unknownKindMessage(kind));
    return info;
  }

  private async checkTierUnused(name: string): Promise<void> {
    if (name === DEFAULT_TIER) throw new ValidationError(resourceId('Tier', name), [{ field: 'metadata.name', value: name, message: 'the default tier cannot be deleted' }]);
    for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) {
      const used = (await this.datastore.list(kind)).items.find((p) => (p.spec?.tier ?? DEFAULT_TIER) === name);
      if (used) {
        throw new ValidationError(resourceId('Tier', name), [{ field: 'metadata.name', value: name, message: `tier is still used by ${describeResource(used)}; delete its policies first` }]);
      }
    }
  }

  /** Rules that need other resources: the ones libcalico-go's clients enforce at write time. */
  private async crossChecks(obj: Resource, existing: Resource | undefined, pending: Resource[]): Promise<FieldError[]> {
    const errs: FieldError[] = [];
    const spec = (obj.spec ?? {}) as Record<string, any>;
    switch (obj.kind) {
      case 'IPPool': {
        if (existing) {
          for (const f of ['cidr', 'blockSize'] as const) {
            if (existing.spec?.[f] !== undefined && existing.spec[f] !== spec[f]) {
              errs.push({ field: `spec.${f}`, value: spec[f], message: `IPPool ${f} cannot be modified (currently ${existing.spec[f]})` });
            }
          }
        }
        const mine = tryParseCIDR(spec.cidr);
        if (!mine) break;
        const others = [...(await this.datastore.list('IPPool')).items, ...pending.filter((p) => p.kind === 'IPPool')];
        for (const o of others) {
          if (o.metadata.name === obj.metadata.name) continue;
          const c = tryParseCIDR(o.spec?.cidr);
          if (c && cidrsOverlap(mine, c)) {
            errs.push({ field: 'spec.cidr', value: spec.cidr, message: `IPPool(${obj.metadata.name}) CIDR overlaps with IPPool(${o.metadata.name}) CIDR ${o.spec.cidr}` });
            break;
          }
        }
        break;
      }
      case 'NetworkPolicy':
      case 'GlobalNetworkPolicy': {
        const tier = spec.tier ?? DEFAULT_TIER;
        if (tier !== DEFAULT_TIER && !pending.some((p) => p.kind === 'Tier' && p.metadata.name === tier) && !(await this.datastore.get('Tier', tier))) {
          errs.push({ field: 'spec.tier', value: tier, message: `tier "${tier}" does not exist; create the Tier first` });
        }
        break;
      }
      default:
        break;
    }
    return errs;
  }
}
