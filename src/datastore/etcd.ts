// The etcd v3 datastore: Calico's key layout (etcd-keys.ts), values = JSON of the v3 object without
// resourceVersion (that is the key's mod_revision, known only once etcd commits). Creates and CAS writes are
// single etcd transactions comparing create_revision / mod_revision, as libcalico-go does.
//
// Unreachability: every unary call has a deadline (a few seconds) and any transport failure becomes
// DatastoreError('Unavailable') naming the endpoints. The client's own retry/circuit-breaker policies are
// replaced: a retried write whose first attempt did commit would report a false Conflict, and a breaker
// would keep reporting "down" for seconds after etcd is back.
//
// Watches use the raw Watch stream rather than etcd3's Watcher: that one resumes from the stream header's
// revision, which during a history replay is ahead of the events actually delivered, so a disconnect
// there would silently skip events. Here a watch remembers the last revision it delivered and re-creates
// its stream from the next one, so resumption has neither gaps nor duplicates.
import { readFileSync } from 'node:fs';
import { jittered } from '../clock.ts';
import {
  ClientClosedError, GRPCCancelledError, GRPCDeadlineExceededError, GRPCInvalidArgumentError, GRPCResourceExhastedError, GRPCUnavailableError,
  type Etcd3, type IDeleteRangeResponse, type IDuplexStream, type IKeyValue, type IOptions, type IRangeResponse,
  type ITxnRequest, type ITxnResponse, type IWatchRequest, type IWatchResponse,
} from 'etcd3';
import { EtcdEndpointPool, isTlsFailure, isTransportFailure } from './etcd-endpoints.ts';
import type { Resource } from '../api/resource.ts';
import type { KindInfo } from '../api/kinds.ts';
import { createLogger } from '../log.ts';
import {
  alreadyExists, carryIdentity, checkName, checkWritable, conflict, effectiveNamespace, missingResourceVersion,
  notFound, requireKind, stampCreate,
} from './common.ts';
import { affinityName, EtcdKeys, type KeyRange } from './etcd-keys.ts';
import { decodeStoredValue } from './stored-value.ts';
import {
  DatastoreError, type Datastore, type ListOptions, type ListResult, type Revision, type WatchEvent,
  type WatchOptions, type Watcher,
} from './types.ts';

const log = createLogger('datastore');
/** Keys per range call of a list; see range(). */
const LIST_PAGE_KEYS = 500;

export interface EtcdOptions {
  endpoints: string[];
  /** Prepended to every key (tests share one etcd under unique prefixes). */
  keyPrefix?: string | undefined;
  caCertFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Deadline of each attempt of a unary call (ms). */
  timeoutMs?: number;
  /** With several endpoints: how long a call keeps trying the other members (ms; default 4 × timeoutMs). */
  failoverBudgetMs?: number;
}

function readCredential(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new DatastoreError('Invalid', `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** What a TLS failure means for the user, in terms of calicoctl's settings. */
function tlsProblem(msg: string): string {
  if (/bad certificate|certificate required|alert number (42|116)|unknown ca|alert number 48/i.test(msg)) {
    return 'etcd did not accept a client certificate from this client: set etcdCertFile and etcdKeyFile (ETCD_CERT_FILE, ETCD_KEY_FILE) to a certificate signed by the CA etcd trusts for clients';
  }
  if (/unable to verify|self.signed|unable to get local issuer|certificate verify failed/i.test(msg)) {
    return "etcd's server certificate is not signed by a trusted CA: set etcdCACertFile (ETCD_CA_CERT_FILE) to the CA that issued it";
  }
  if (/altnames|hostname|not in the cert|subject/i.test(msg)) return "etcd's server certificate does not name this endpoint (subjectAltName)";
  return 'check the endpoints (https://) and etcdCACertFile, etcdCertFile, etcdKeyFile';
}

function rev(s: string | number): number {
  return Number(s);
}

export class EtcdDatastore implements Datastore {
  readonly type = 'etcdv3' as const;
  readonly keys: EtcdKeys;
  private readonly pool: EtcdEndpointPool;
  private readonly endpoints: string[];
  private readonly watches = new Set<EtcdWatch>();
  private readonly tls: boolean;
  private closed = false;

  constructor(opts: EtcdOptions) {
    if (!opts.endpoints.length) throw new DatastoreError('Invalid', 'etcdv3 datastore needs at least one endpoint');
    this.endpoints = opts.endpoints;
    this.keys = new EtcdKeys(opts.keyPrefix ?? '');
    const timeoutMs = opts.timeoutMs ?? 3000;
    this.tls = !!(opts.endpoints.some((e) => e.startsWith('https://')) || opts.caCertFile || opts.certFile || opts.keyFile);
    let credentials: IOptions['credentials'];
    if (this.tls) {
      if (!!opts.certFile !== !!opts.keyFile) {
        throw new DatastoreError('Invalid', `etcd client certificate needs both etcdCertFile and etcdKeyFile (got only ${opts.certFile ? 'etcdCertFile' : 'etcdKeyFile'})`);
      }
      credentials = {
        rootCertificate: opts.caCertFile ? readCredential(opts.caCertFile, 'etcdCACertFile') : (undefined as unknown as Buffer),
        ...(opts.keyFile ? { privateKey: readCredential(opts.keyFile, 'etcdKeyFile') } : {}),
        ...(opts.certFile ? { certChain: readCredential(opts.certFile, 'etcdCertFile') } : {}),
      };
    }
    this.pool = new EtcdEndpointPool({
      endpoints: opts.endpoints, timeoutMs, failoverBudgetMs: opts.failoverBudgetMs ?? 4 * timeoutMs,
      ...(credentials ? { credentials } : {}),
    });
  }

  /** Runs one etcd call (moving to another member on transport failures), turning failures into DatastoreErrors. */
  private async attempt<T>(what: string, fn: (client: Etcd3) => Promise<T>): Promise<{ value: T; retried: boolean }> {
    if (this.closed) throw new DatastoreError('Unavailable', 'etcd datastore is closed');
    try {
      return await this.pool.run(fn);
    } catch (err) {
      throw this.mapError(err, what);
    }
  }

  private async call<T>(what: string, fn: (client: Etcd3) => Promise<T>): Promise<T> {
    return (await this.attempt(what, fn)).value;
  }

  private mapError(err: unknown, what: string): DatastoreError {
    if (err instanceof DatastoreError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof GRPCInvalidArgumentError || err instanceof GRPCResourceExhastedError) {
      return new DatastoreError('Invalid', `etcd rejected ${what}: ${msg}`);
    }
    const at = this.endpoints.join(',');
    if (isTlsFailure(err)) return new DatastoreError('Unavailable', `TLS connection to etcd at ${at} failed (${what}): ${tlsProblem(msg)} [${msg.split('\n')[0]}]`);
    if (err instanceof GRPCDeadlineExceededError) return new DatastoreError('Unavailable', `etcd unreachable at ${at} (${what}): no answer before the deadline`);
    if (err instanceof GRPCUnavailableError || err instanceof GRPCCancelledError || err instanceof ClientClosedError || isTransportFailure(err)) {
      return new DatastoreError('Unavailable', `etcd unreachable at ${at} (${what}): ${msg}${this.tlsHint()}`);
    }
    return new DatastoreError('Unavailable', `etcd at ${at} failed ${what}: ${msg}`);
  }

  /** What a TLS-less client should check when the connection does not come up. */
  private tlsHint(): string {
    return this.tls ? '' : ' (if this etcd serves TLS, use https:// endpoints and set etcdCACertFile, etcdCertFile and etcdKeyFile / ETCD_CA_CERT_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE)';
  }

  private txn(what: string, req: ITxnRequest): Promise<{ value: ITxnResponse; retried: boolean }> {
    return this.attempt(what, (c) => c.kv.txn(req));
  }

  /**
   * A compare that failed after a retried write may have failed on our own first attempt, which a member
   * applied before the connection to it broke: the stored value being byte for byte ours, written after the
   * revision we compared against, proves it. Returns the object as written, or undefined if not ours.
   */
  private ownRetriedWrite(retried: boolean, now: IKeyValue, value: Buffer, comparedRevision: string | undefined): Resource | undefined {
    if (!retried || !now.value.equals(value)) return undefined;
    if (comparedRevision !== undefined && rev(now.mod_revision) <= Number(comparedRevision)) return undefined;
    return this.toObject(now);
  }

  private toObject(kv: IKeyValue): Resource {
    const obj = decodeStoredValue(kv.value, () => {
      const parsed = this.keys.parseKey(kv.key.toString());
      return { kind: parsed?.info.kind ?? '', name: parsed?.name ?? kv.key.toString(), namespace: parsed?.namespace };
    });
    obj.metadata.resourceVersion = String(rev(kv.mod_revision));
    return obj;
  }

  private encode(obj: Resource): Buffer {
    const copy = structuredClone(obj);
    delete copy.metadata.resourceVersion;
    return Buffer.from(JSON.stringify(copy));
  }

  /**
   * Every key in `r`, read in pages of LIST_PAGE_KEYS at the first page's revision (one consistent snapshot,
   * as libcalico-go's paged list does): a single range answer over a big prefix can pass gRPC's message limit.
   */
  private async range(r: KeyRange, what: string): Promise<{ kvs: IKeyValue[]; revision: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.rangePages(r, what);
      } catch (err) {
        // A compaction between two pages removed the snapshot's revision: start over at a newer one.
        if (attempt >= 3 || !(err instanceof DatastoreError) || !/compacted/.test(err.message)) throw err;
      }
    }
  }

  private async rangePages(r: KeyRange, what: string): Promise<{ kvs: IKeyValue[]; revision: number }> {
    const kvs: IKeyValue[] = [];
    let from = Buffer.from(r.key);
    let revision: number | undefined;
    for (;;) {
      const at = revision;
      const res = await this.call(what, (c) => c.kv.range({
        key: from, range_end: r.rangeEnd, limit: LIST_PAGE_KEYS, ...(at !== undefined ? { revision: at } : {}),
      }));
      revision ??= rev(res.header.revision);
      kvs.push(...res.kvs);
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) return { kvs, revision };
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  private getKey(key: string, what: string): Promise<IRangeResponse> {
    return this.call(what, (c) => c.kv.range({ key: Buffer.from(key) }));
  }

  /** Finds the stored key-value of (kind, name, namespace); a BlockAffinity not at its conventional key is searched for. */
  private async locate(info: KindInfo, name: string, namespace: string | undefined, what: string): Promise<IKeyValue | undefined> {
    const guess = this.keys.nameKey(info, name, namespace);
    if (guess !== undefined) {
      const kv = (await this.getKey(guess, what)).kvs[0];
      if (info.kind !== 'BlockAffinity') return kv;
      if (kv && this.toObject(kv).metadata.name === name) return kv;
    }
    const all = await this.range(this.keys.listRange(info), what);
    return all.kvs.find((kv) => this.keys.parseKey(kv.key.toString()) && this.toObject(kv).metadata.name === name);
  }

  async get(kind: string, name: string, namespace?: string): Promise<Resource | undefined> {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const kv = await this.locate(info, name, effectiveNamespace(info, namespace), `get ${kind}`);
    return kv ? this.toObject(kv) : undefined;
  }

  async list(kind: string, opts: ListOptions = {}): Promise<ListResult> {
    const info = requireKind(kind);
    const ns = effectiveNamespace(info, opts.namespace);
    const res = await this.range(this.keys.listRange(info, ns, opts.namePrefix), `list ${kind}`);
    const items: Resource[] = [];
    for (const kv of res.kvs) {
      const parsed = this.keys.parseKey(kv.key.toString());
      if (!parsed || parsed.info.kind !== kind) continue;
      if (ns !== undefined && parsed.namespace !== ns) continue;
      const obj = this.toObject(kv);
      if (opts.namePrefix && !obj.metadata.name.startsWith(opts.namePrefix)) continue;
      items.push(obj);
    }
    return { items, revision: res.revision };
  }

  async create(obj: Resource): Promise<Resource> {
    const info = checkWritable(obj);
    const { name, namespace } = obj.metadata;
    const stored = stampCreate(obj);
    const key = Buffer.from(this.keys.objectKey(info, stored));
    if (info.kind === 'BlockAffinity' && (await this.locate(info, name, undefined, `create ${obj.kind}`))) {
      throw alreadyExists(obj.kind, name);
    }
    const value = this.encode(stored);
    const { value: res, retried } = await this.txn(`create ${obj.kind}`, {
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value } }],
      failure: [{ request_range: { key } }],
    });
    if (!res.succeeded) {
      // After a retry, the key may hold our own first attempt: the value carries our fresh uid, so it proves it.
      const now = res.responses[0]?.response_range?.kvs?.[0];
      if (!(retried && now && now.value.equals(value))) throw alreadyExists(obj.kind, name, namespace);
      stored.metadata.resourceVersion = String(rev(now.mod_revision));
      return stored;
    }
    stored.metadata.resourceVersion = String(rev(res.header.revision));
    return stored;
  }

  async update(obj: Resource): Promise<Resource> {
    const info = checkWritable(obj);
    const { name, namespace, resourceVersion, uid, creationTimestamp } = obj.metadata;
    const what = `update ${obj.kind}`;
    // Fast path, one round trip: a caller holding uid and creationTimestamp (it read the object) gets a
    // single CAS put; the previous value the put returns proves the identity it carried was the stored one.
    if (info.kind !== 'BlockAffinity' && uid && creationTimestamp && resourceVersion && /^[1-9]\d*$/.test(resourceVersion)) {
      const key = Buffer.from(this.keys.objectKey(info, obj));
      const value = this.encode(obj);
      const { value: res, retried } = await this.txn(what, {
        compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: resourceVersion }],
        success: [{ request_put: { key, value, prev_kv: true } }],
        failure: [{ request_range: { key } }],
      });
      if (!res.succeeded) {
        const now = res.responses[0]?.response_range?.kvs?.[0];
        if (!now) throw notFound(obj.kind, name, namespace);
        const written = this.ownRetriedWrite(retried, now, value, resourceVersion);
        if (written) return written;
        throw conflict(obj.kind, name, namespace, resourceVersion, rev(now.mod_revision));
      }
      const written = structuredClone(obj);
      written.metadata.resourceVersion = String(rev(res.header.revision));
      const prev = res.responses[0]?.response_put?.prev_kv;
      const before = prev ? this.toObject(prev) : undefined;
      if (!before || (before.metadata.uid === uid && before.metadata.creationTimestamp === creationTimestamp)) return written;
      // The caller altered immutable fields: put the stored identity back (a second CAS, on our own write).
      const fixed = carryIdentity(written, before);
      const fixedValue = this.encode(fixed);
      const { value: again, retried: againRetried } = await this.txn(what, {
        compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: res.header.revision }],
        success: [{ request_put: { key, value: fixedValue } }],
        failure: [{ request_range: { key } }],
      });
      const now = again.responses[0]?.response_range?.kvs?.[0];
      const ours = !again.succeeded && now ? this.ownRetriedWrite(againRetried, now, fixedValue, written.metadata.resourceVersion) : undefined;
      if (ours) return ours;
      if (!again.succeeded) throw conflict(obj.kind, name, namespace, written.metadata.resourceVersion, 'changed meanwhile');
      fixed.metadata.resourceVersion = String(rev(again.header.revision));
      return fixed;
    }
    const cur = await this.locate(info, name, namespace, what);
    if (!cur) throw notFound(obj.kind, name, namespace);
    if (resourceVersion === undefined || resourceVersion === '') throw missingResourceVersion(obj.kind, name, namespace);
    if (String(rev(cur.mod_revision)) !== resourceVersion) throw conflict(obj.kind, name, namespace, resourceVersion, rev(cur.mod_revision));
    const stored = carryIdentity(obj, this.toObject(cur));
    if (this.keys.objectKey(info, stored) !== cur.key.toString()) {
      throw new DatastoreError('Invalid', `${obj.kind} "${name}": spec.node and spec.cidr cannot change (they are its etcd key)`);
    }
    const key = cur.key;
    const value = this.encode(stored);
    const { value: res, retried } = await this.txn(what, {
      compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: cur.mod_revision }],
      success: [{ request_put: { key, value } }],
      failure: [{ request_range: { key } }],
    });
    if (!res.succeeded) {
      const now = res.responses[0]?.response_range?.kvs?.[0];
      if (!now) throw notFound(obj.kind, name, namespace);
      const written = this.ownRetriedWrite(retried, now, value, resourceVersion);
      if (written) return written;
      throw conflict(obj.kind, name, namespace, resourceVersion, rev(now.mod_revision));
    }
    stored.metadata.resourceVersion = String(rev(res.header.revision));
    return stored;
  }

  async delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource> {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const ns = effectiveNamespace(info, namespace);
    const what = `delete ${kind}`;
    const cur = await this.locate(info, name, ns, what);
    if (!cur) throw notFound(kind, name, ns);
    if (resourceVersion !== undefined && String(rev(cur.mod_revision)) !== resourceVersion) {
      throw conflict(kind, name, ns, resourceVersion, rev(cur.mod_revision));
    }
    // Compare on the revision just read even without a CAS request: the object returned must be the one deleted.
    const key = cur.key;
    const { value: res, retried } = await this.txn(what, {
      compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: cur.mod_revision }],
      success: [{ request_delete_range: { key, prev_kv: true } }],
      failure: [{ request_range: { key } }],
    });
    if (!res.succeeded) {
      const now = res.responses[0]?.response_range?.kvs?.[0];
      // Gone after a retry: the first attempt, which a member applied before failing us, deleted it.
      if (!now && retried) return this.toObject(cur);
      if (!now) throw notFound(kind, name, ns);
      if (resourceVersion !== undefined) throw conflict(kind, name, ns, resourceVersion, rev(now.mod_revision));
      return this.delete(kind, name, namespace); // changed between read and delete: take the newer one
    }
    const del = res.responses[0]?.response_delete_range as IDeleteRangeResponse | undefined;
    const prev = del?.prev_kvs?.[0];
    return prev ? this.toObject(prev) : this.toObject(cur);
  }

  async revision(): Promise<Revision> {
    const res = await this.call('read revision', (c) => c.kv.range({ key: Buffer.from(`${this.keys.prefix}/calico/`), limit: 1, count_only: true }));
    return rev(res.header.revision);
  }

  /** Compacts etcd's history up to `revision` (cluster-wide: tests and maintenance only). */
  async compact(revision: Revision): Promise<void> {
    await this.call('compact', (c) => c.kv.compact({ revision, physical: true }));
  }

  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void): Watcher {
    if (this.closed) throw new DatastoreError('Unavailable', 'etcd datastore is closed');
    const w = new EtcdWatch(this, this.pool, opts, onEvent, onError, () => this.watches.delete(w));
    this.watches.add(w);
    w.start();
    return w;
  }

  /** @internal A watch event for `kv` (or undefined for keys Tabby does not store). */
  eventFor(type: 'Put' | 'Delete', kv: IKeyValue, prev: IKeyValue | undefined): WatchEvent | undefined {
    const parsed = this.keys.parseKey(kv.key.toString());
    if (!parsed) return undefined;
    const revision = rev(kv.mod_revision);
    const kind = parsed.info.kind;
    if (type === 'Put') {
      const object = this.toObject(kv);
      return { type: rev(kv.create_revision) === revision ? 'added' : 'modified', kind, object, revision };
    }
    let object: Resource;
    if (prev && prev.value?.length) {
      object = this.toObject(prev);
    } else {
      // History before the delete was compacted away: all that is known is the key.
      const [, node, , cidr] = /ipam\/v2\/host\/([^/]+)\/(ipv[46])\/block\/([^/]+)$/.exec(kv.key.toString()) ?? [];
      const name = parsed.name ?? (node && cidr ? affinityName(node, cidr.replace(/-(\d+)$/, '/$1')) : '');
      object = { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(parsed.namespace ? { namespace: parsed.namespace } : {}) } };
    }
    return { type: 'deleted', kind, object, revision };
  }

  /** @internal */
  describeEndpoints(): string {
    return this.endpoints.join(',');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
    this.pool.close();
  }
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 3000;

/**
 * One watch on its own Watch stream. `delivered` is the last revision handed to the caller; after a stream
 * failure a new stream starts at delivered + 1, so the caller sees every revision once, in order.
 * etcd reports a compacted start revision with compact_revision; that ends the watch with Compacted.
 */
class EtcdWatch implements Watcher {
  private delivered: number;
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private stopped = false;
  private backoffMs = MIN_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly kinds: Set<string> | undefined;
  private wasDown = false;
  /** The member the current stream is on. */
  private member = 0;

  constructor(
    private readonly store: EtcdDatastore,
    private readonly pool: EtcdEndpointPool,
    opts: WatchOptions,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError: (err: DatastoreError) => void,
    private readonly onEnd: () => void,
  ) {
    this.delivered = opts.fromRevision;
    this.kinds = opts.kinds ? new Set(opts.kinds) : undefined;
  }

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    this.member = this.pool.pick();
    try {
      stream = await this.pool.client(this.member).watchClient.watch();
    } catch (err) {
      this.down(err);
      return;
    }
    if (this.stopped) { stream.cancel(); return; }
    this.stream = stream;
    stream.on('data', (res) => { if (this.stream === stream) this.handle(res); });
    stream.on('error', (err) => { if (this.stream === stream) this.down(err); });
    stream.on('end', () => { if (this.stream === stream) this.down(new Error('watch stream ended')); });
    const r = this.store.keys.watchRange();
    stream.write({
      create_request: { key: Buffer.from(r.key), range_end: r.rangeEnd, start_revision: this.delivered + 1, prev_kv: true },
    });
  }

  private handle(res: IWatchResponse): void {
    if (this.stopped) return;
    if (res.compact_revision && res.compact_revision !== '0') {
      const oldest = rev(res.compact_revision);
      this.fail(new DatastoreError('Compacted', `revision ${this.delivered} has been compacted (etcd history starts at ${oldest})`, oldest));
      return;
    }
    if (res.canceled) {
      this.fail(new DatastoreError('Unavailable', `etcd at ${this.store.describeEndpoints()} cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    if (res.created) {
      this.backoffMs = MIN_BACKOFF_MS;
      if (this.wasDown) log.info({ fromRevision: this.delivered + 1 }, 'etcd watch resumed');
      this.wasDown = false;
    }
    // One response carries whole revisions (a multi-key transaction shares one), so resuming from
    // the last revision + 1 never splits one; the floor guards against a replay overlapping it anyway.
    const floor = this.delivered;
    for (const e of res.events ?? []) {
      const revision = rev(e.kv.mod_revision);
      if (revision <= floor) continue;
      this.delivered = Math.max(this.delivered, revision);
      const ev = this.store.eventFor(e.type, e.kv, e.prev_kv);
      if (!ev || (this.kinds && !this.kinds.has(ev.kind))) continue;
      this.onEvent(ev);
      if (this.stopped) return;
    }
  }

  private down(err: unknown): void {
    if (this.stopped) return;
    const old = this.stream;
    this.stream = undefined;
    try { old?.cancel(); } catch { /* already gone */ }
    // Resume on another member: this one may be dead or cut off (the next pick skips it for a while).
    this.pool.markFailed(this.member);
    if (!this.wasDown) {
      log.warn({ err: err instanceof Error ? err.message : String(err), endpoints: this.store.describeEndpoints() }, 'etcd watch disconnected; retrying');
    }
    this.wasDown = true;
    // Jittered: after an outage every node's watch reconnects, and they must not all arrive at once.
    this.retryTimer = setTimeout(() => void this.connect(), jittered(this.backoffMs));
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private fail(err: DatastoreError): void {
    this.stop();
    this.onError(err);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.stream;
    this.stream = undefined;
    try { s?.cancel(); } catch { /* already gone */ }
    this.onEnd();
  }
}
