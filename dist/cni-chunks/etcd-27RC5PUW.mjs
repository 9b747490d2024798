import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  KINDS,
  alreadyExists,
  carryIdentity,
  checkName,
  checkWritable,
  conflict,
  effectiveNamespace,
  missingResourceVersion,
  notFound,
  requireKind,
  stampCreate
} from "./chunk-URTJISFL.mjs";
import {
  createLogger
} from "./chunk-FRKRQA4V.mjs";
import {
  DatastoreError
} from "./chunk-QSLHBRLO.mjs";
import "./chunk-ORRNK5GL.mjs";

// src/datastore/etcd.ts
import { readFileSync } from "node:fs";
import {
  Etcd3,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnavailableError
} from "etcd3";

// src/datastore/etcd-keys.ts
var RESOURCES_ROOT = "/calico/resources/v3/projectcalico.org/";
var BLOCKS_ROOT = "/calico/ipam/v2/assignment/";
var AFFINITIES_ROOT = "/calico/ipam/v2/host/";
var HANDLES_ROOT = "/calico/ipam/v2/handle/";
var CALICO_ROOT = "/calico/";
var byPlural = new Map(KINDS.filter((k) => !k.ipam).map((k) => [k.plural, k]));
function prefixRange(prefix) {
  return { key: prefix, rangeEnd: prefixEnd(prefix) };
}
function prefixEnd(prefix) {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 255) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return Buffer.from([0]);
}
function family(cidrOrName) {
  return cidrOrName.includes(":") ? "ipv6" : "ipv4";
}
function encodeCidr(cidr) {
  return cidr.replace("/", "-");
}
function affinityName(node, cidr) {
  return `${node}-${cidr.replace(/[.:/]/g, "-")}`;
}
function affinitySpec(obj) {
  const spec = obj.spec;
  const node = spec?.node;
  const cidr = spec?.cidr;
  if (typeof node !== "string" || node === "" || node.includes("/")) {
    throw new DatastoreError("Invalid", `BlockAffinity "${obj.metadata.name}" needs spec.node (a node name) for its etcd key`);
  }
  if (typeof cidr !== "string" || !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr)) {
    throw new DatastoreError("Invalid", `BlockAffinity "${obj.metadata.name}" needs spec.cidr (like 10.244.1.0/26) for its etcd key`);
  }
  return { node, cidr };
}
var EtcdKeys = class {
  constructor(prefix = "") {
    this.prefix = prefix;
  }
  prefix;
  /** The key an object is stored under (BlockAffinity: from its spec). */
  objectKey(info, obj) {
    if (info.kind === "BlockAffinity") {
      const { node, cidr } = affinitySpec(obj);
      return `${this.prefix}${AFFINITIES_ROOT}${node}/${family(cidr)}/block/${encodeCidr(cidr)}`;
    }
    return this.nameKey(info, obj.metadata.name, obj.metadata.namespace);
  }
  /**
   * The key for (kind, name, namespace). For a BlockAffinity this is only a guess from Calico's naming
   * convention (undefined when the name does not follow it): the caller must check the stored name.
   */
  nameKey(info, name, namespace) {
    const p = this.prefix;
    switch (info.kind) {
      case "IPAMBlock":
        return `${p}${BLOCKS_ROOT}${family(name)}/block/${name}`;
      case "IPAMHandle":
        return `${p}${HANDLES_ROOT}${name}`;
      case "BlockAffinity": {
        const m = /^(.+)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/.exec(name);
        return m ? `${p}${AFFINITIES_ROOT}${m[1]}/ipv4/block/${m[2]}.${m[3]}.${m[4]}.${m[5]}-${m[6]}` : void 0;
      }
      default:
        return info.namespaced ? `${p}${RESOURCES_ROOT}${info.plural}/${namespace ?? ""}/${name}` : `${p}${RESOURCES_ROOT}${info.plural}/${name}`;
    }
  }
  /**
   * The range a list of `kind` reads, narrowed by namespace and name prefix where the layout allows
   * (the caller still filters each object by namespace and name prefix).
   */
  listRange(info, namespace, namePrefix = "") {
    const p = this.prefix;
    switch (info.kind) {
      case "IPAMBlock":
        return prefixRange(`${p}${BLOCKS_ROOT}`);
      case "BlockAffinity":
        return prefixRange(`${p}${AFFINITIES_ROOT}`);
      case "IPAMHandle":
        return prefixRange(`${p}${HANDLES_ROOT}${namePrefix}`);
      default:
        if (info.namespaced && namespace !== void 0) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namespace}/${namePrefix}`);
        if (!info.namespaced) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namePrefix}`);
        return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/`);
    }
  }
  /** The range every watch reads: all resources and IPAM objects. */
  watchRange() {
    return prefixRange(`${this.prefix}${CALICO_ROOT}`);
  }
  /**
   * What a key holds: the kind and, where the key says it, name and namespace (a BlockAffinity's name is
   * in its value). Undefined for keys Tabby does not store (other /calico/ trees, other prefixes).
   */
  parseKey(key) {
    if (!key.startsWith(this.prefix)) return void 0;
    const k = key.slice(this.prefix.length);
    if (k.startsWith(RESOURCES_ROOT)) {
      const parts = k.slice(RESOURCES_ROOT.length).split("/");
      const info = byPlural.get(parts[0]);
      if (!info) return void 0;
      if (info.namespaced && parts.length === 3 && parts[1] && parts[2]) return { info, namespace: parts[1], name: parts[2] };
      if (!info.namespaced && parts.length === 2 && parts[1]) return { info, name: parts[1] };
      return void 0;
    }
    if (k.startsWith(BLOCKS_ROOT)) {
      const m = /^ipv[46]\/block\/([^/]+)$/.exec(k.slice(BLOCKS_ROOT.length));
      return m ? { info: ipamKind("IPAMBlock"), name: m[1] } : void 0;
    }
    if (k.startsWith(AFFINITIES_ROOT)) {
      const m = /^([^/]+)\/ipv[46]\/block\/([^/]+)$/.exec(k.slice(AFFINITIES_ROOT.length));
      return m ? { info: ipamKind("BlockAffinity") } : void 0;
    }
    if (k.startsWith(HANDLES_ROOT)) {
      const name = k.slice(HANDLES_ROOT.length);
      return name && !name.includes("/") ? { info: ipamKind("IPAMHandle"), name } : void 0;
    }
    return void 0;
  }
};
function ipamKind(kind) {
  return KINDS.find((k) => k.kind === kind);
}

// src/datastore/etcd.ts
var log = createLogger("datastore");
function passThrough() {
  const policy = {
    execute: (fn, signal) => Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
    onSuccess: () => ({ dispose() {
    } }),
    onFailure: () => ({ dispose() {
    } })
  };
  return policy;
}
function failoverPolicy(extraAttempts) {
  const policy = {
    execute: async (fn, signal) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn({ signal: signal ?? new AbortController().signal });
        } catch (err) {
          if (attempt >= extraAttempts || !isConnectionRefused(err)) throw err;
        }
      }
    },
    onSuccess: () => ({ dispose() {
    } }),
    onFailure: () => ({ dispose() {
    } })
  };
  return policy;
}
function isConnectionRefused(err) {
  const msg = err instanceof Error ? err.message : String(err);
  return err instanceof GRPCUnavailableError && /ECONNREFUSED|No connection established|connect|Connection dropped/i.test(msg);
}
function readCredential(file, what) {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new DatastoreError("Invalid", `cannot read ${what} ${file}: ${err.message}`);
  }
}
function rev(s) {
  return Number(s);
}
var EtcdDatastore = class {
  type = "etcdv3";
  keys;
  client;
  endpoints;
  watches = /* @__PURE__ */ new Set();
  closed = false;
  constructor(opts) {
    if (!opts.endpoints.length) throw new DatastoreError("Invalid", "etcdv3 datastore needs at least one endpoint");
    this.endpoints = opts.endpoints;
    this.keys = new EtcdKeys(opts.keyPrefix ?? "");
    const timeoutMs = opts.timeoutMs ?? 3e3;
    const options = {
      hosts: opts.endpoints,
      dialTimeout: timeoutMs,
      defaultCallOptions: (ctx) => ctx.isStream ? {} : { deadline: Date.now() + timeoutMs },
      faultHandling: { host: () => passThrough(), global: failoverPolicy(opts.endpoints.length - 1) },
      // Notice a dead peer under an open watch stream in well under a minute rather than the OS TCP timeout
      // (etcd refuses pings more often than every 5 s, and any ping when no call is open).
      grpcOptions: { "grpc.keepalive_time_ms": 3e4, "grpc.keepalive_timeout_ms": 1e4 }
    };
    const tls = opts.endpoints.some((e) => e.startsWith("https://")) || opts.caCertFile || opts.certFile || opts.keyFile;
    if (tls) {
      if (!!opts.certFile !== !!opts.keyFile) {
        throw new DatastoreError("Invalid", "etcd client certificate needs both etcdCertFile and etcdKeyFile");
      }
      options.credentials = {
        rootCertificate: opts.caCertFile ? readCredential(opts.caCertFile, "etcdCACertFile") : void 0,
        privateKey: opts.keyFile ? readCredential(opts.keyFile, "etcdKeyFile") : void 0,
        certChain: opts.certFile ? readCredential(opts.certFile, "etcdCertFile") : void 0
      };
    }
    this.client = new Etcd3(options);
  }
  /** Runs one etcd call, turning transport failures into Unavailable that names the endpoints. */
  async call(what, fn) {
    if (this.closed) throw new DatastoreError("Unavailable", "etcd datastore is closed");
    try {
      return await fn();
    } catch (err) {
      throw this.mapError(err, what);
    }
  }
  mapError(err, what) {
    if (err instanceof DatastoreError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof GRPCInvalidArgumentError || err instanceof GRPCResourceExhastedError) {
      return new DatastoreError("Invalid", `etcd rejected ${what}: ${msg}`);
    }
    const why = err instanceof GRPCDeadlineExceededError ? "no answer before the deadline" : msg;
    return new DatastoreError("Unavailable", `etcd unreachable at ${this.endpoints.join(",")} (${what}): ${why}`);
  }
  toObject(kv) {
    const obj = JSON.parse(kv.value.toString());
    obj.metadata.resourceVersion = String(rev(kv.mod_revision));
    return obj;
  }
  encode(obj) {
    const copy = structuredClone(obj);
    delete copy.metadata.resourceVersion;
    return Buffer.from(JSON.stringify(copy));
  }
  range(r, what) {
    return this.call(what, () => this.client.kv.range({ key: Buffer.from(r.key), range_end: r.rangeEnd }));
  }
  getKey(key, what) {
    return this.call(what, () => this.client.kv.range({ key: Buffer.from(key) }));
  }
  /** Finds the stored key-value of (kind, name, namespace); a BlockAffinity not at its conventional key is searched for. */
  async locate(info, name, namespace, what) {
    const guess = this.keys.nameKey(info, name, namespace);
    if (guess !== void 0) {
      const kv = (await this.getKey(guess, what)).kvs[0];
      if (info.kind !== "BlockAffinity") return kv;
      if (kv && this.toObject(kv).metadata.name === name) return kv;
    }
    const all = await this.range(this.keys.listRange(info), what);
    return all.kvs.find((kv) => this.keys.parseKey(kv.key.toString()) && this.toObject(kv).metadata.name === name);
  }
  async get(kind, name, namespace) {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const kv = await this.locate(info, name, effectiveNamespace(info, namespace), `get ${kind}`);
    return kv ? this.toObject(kv) : void 0;
  }
  async list(kind, opts = {}) {
    const info = requireKind(kind);
    const ns = effectiveNamespace(info, opts.namespace);
    const res = await this.range(this.keys.listRange(info, ns, opts.namePrefix), `list ${kind}`);
    const items = [];
    for (const kv of res.kvs) {
      const parsed = this.keys.parseKey(kv.key.toString());
      if (!parsed || parsed.info.kind !== kind) continue;
      if (ns !== void 0 && parsed.namespace !== ns) continue;
      const obj = this.toObject(kv);
      if (opts.namePrefix && !obj.metadata.name.startsWith(opts.namePrefix)) continue;
      items.push(obj);
    }
    return { items, revision: rev(res.header.revision) };
  }
  async create(obj) {
    const info = checkWritable(obj);
    const { name, namespace } = obj.metadata;
    const stored = stampCreate(obj);
    const key = Buffer.from(this.keys.objectKey(info, stored));
    if (info.kind === "BlockAffinity" && await this.locate(info, name, void 0, `create ${obj.kind}`)) {
      throw alreadyExists(obj.kind, name);
    }
    const res = await this.call(`create ${obj.kind}`, () => this.client.kv.txn({
      compare: [{ key, target: "Create", result: "Equal", create_revision: 0 }],
      success: [{ request_put: { key, value: this.encode(stored) } }],
      failure: []
    }));
    if (!res.succeeded) throw alreadyExists(obj.kind, name, namespace);
    stored.metadata.resourceVersion = String(rev(res.header.revision));
    return stored;
  }
  async update(obj) {
    const info = checkWritable(obj);
    const { name, namespace, resourceVersion, uid, creationTimestamp } = obj.metadata;
    const what = `update ${obj.kind}`;
    if (info.kind !== "BlockAffinity" && uid && creationTimestamp && resourceVersion && /^[1-9]\d*$/.test(resourceVersion)) {
      const key2 = Buffer.from(this.keys.objectKey(info, obj));
      const res2 = await this.call(what, () => this.client.kv.txn({
        compare: [{ key: key2, target: "Mod", result: "Equal", mod_revision: resourceVersion }],
        success: [{ request_put: { key: key2, value: this.encode(obj), prev_kv: true } }],
        failure: [{ request_range: { key: key2 } }]
      }));
      if (!res2.succeeded) {
        const now = res2.responses[0]?.response_range?.kvs?.[0];
        if (!now) throw notFound(obj.kind, name, namespace);
        throw conflict(obj.kind, name, namespace, resourceVersion, rev(now.mod_revision));
      }
      const written = structuredClone(obj);
      written.metadata.resourceVersion = String(rev(res2.header.revision));
      const prev = res2.responses[0]?.response_put?.prev_kv;
      const before = prev ? this.toObject(prev) : void 0;
      if (!before || before.metadata.uid === uid && before.metadata.creationTimestamp === creationTimestamp) return written;
      const fixed = carryIdentity(written, before);
      const again = await this.call(what, () => this.client.kv.txn({
        compare: [{ key: key2, target: "Mod", result: "Equal", mod_revision: res2.header.revision }],
        success: [{ request_put: { key: key2, value: this.encode(fixed) } }],
        failure: []
      }));
      if (!again.succeeded) throw conflict(obj.kind, name, namespace, written.metadata.resourceVersion, "changed meanwhile");
      fixed.metadata.resourceVersion = String(rev(again.header.revision));
      return fixed;
    }
    const cur = await this.locate(info, name, namespace, what);
    if (!cur) throw notFound(obj.kind, name, namespace);
    if (resourceVersion === void 0 || resourceVersion === "") throw missingResourceVersion(obj.kind, name, namespace);
    if (String(rev(cur.mod_revision)) !== resourceVersion) throw conflict(obj.kind, name, namespace, resourceVersion, rev(cur.mod_revision));
    const stored = carryIdentity(obj, this.toObject(cur));
    if (this.keys.objectKey(info, stored) !== cur.key.toString()) {
      throw new DatastoreError("Invalid", `${obj.kind} "${name}": spec.node and spec.cidr cannot change (they are its etcd key)`);
    }
    const key = cur.key;
    const res = await this.call(what, () => this.client.kv.txn({
      compare: [{ key, target: "Mod", result: "Equal", mod_revision: cur.mod_revision }],
      success: [{ request_put: { key, value: this.encode(stored) } }],
      failure: [{ request_range: { key } }]
    }));
    if (!res.succeeded) {
      const now = res.responses[0]?.response_range?.kvs?.[0];
      if (!now) throw notFound(obj.kind, name, namespace);
      throw conflict(obj.kind, name, namespace, resourceVersion, rev(now.mod_revision));
    }
    stored.metadata.resourceVersion = String(rev(res.header.revision));
    return stored;
  }
  async delete(kind, name, namespace, resourceVersion) {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const ns = effectiveNamespace(info, namespace);
    const what = `delete ${kind}`;
    const cur = await this.locate(info, name, ns, what);
    if (!cur) throw notFound(kind, name, ns);
    if (resourceVersion !== void 0 && String(rev(cur.mod_revision)) !== resourceVersion) {
      throw conflict(kind, name, ns, resourceVersion, rev(cur.mod_revision));
    }
    const key = cur.key;
    const res = await this.call(what, () => this.client.kv.txn({
      compare: [{ key, target: "Mod", result: "Equal", mod_revision: cur.mod_revision }],
      success: [{ request_delete_range: { key, prev_kv: true } }],
      failure: [{ request_range: { key } }]
    }));
    if (!res.succeeded) {
      const now = res.responses[0]?.response_range?.kvs?.[0];
      if (!now) throw notFound(kind, name, ns);
      if (resourceVersion !== void 0) throw conflict(kind, name, ns, resourceVersion, rev(now.mod_revision));
      return this.delete(kind, name, namespace);
    }
    const del = res.responses[0]?.response_delete_range;
    const prev = del?.prev_kvs?.[0];
    return prev ? this.toObject(prev) : this.toObject(cur);
  }
  async revision() {
    const res = await this.call("read revision", () => this.client.kv.range({ key: Buffer.from(`${this.keys.prefix}/calico/`), limit: 1, count_only: true }));
    return rev(res.header.revision);
  }
  /** Compacts etcd's history up to `revision` (cluster-wide: tests and maintenance only). */
  async compact(revision) {
    await this.call("compact", () => this.client.kv.compact({ revision, physical: true }));
  }
  watch(opts, onEvent, onError) {
    if (this.closed) throw new DatastoreError("Unavailable", "etcd datastore is closed");
    const w = new EtcdWatch(this, this.client, opts, onEvent, onError, () => this.watches.delete(w));
    this.watches.add(w);
    w.start();
    return w;
  }
  /** @internal A watch event for `kv` (or undefined for keys Tabby does not store). */
  eventFor(type, kv, prev) {
    const parsed = this.keys.parseKey(kv.key.toString());
    if (!parsed) return void 0;
    const revision = rev(kv.mod_revision);
    const kind = parsed.info.kind;
    if (type === "Put") {
      const object2 = this.toObject(kv);
      return { type: rev(kv.create_revision) === revision ? "added" : "modified", kind, object: object2, revision };
    }
    let object;
    if (prev && prev.value?.length) {
      object = this.toObject(prev);
    } else {
      const [, node, , cidr] = /ipam\/v2\/host\/([^/]+)\/(ipv[46])\/block\/([^/]+)$/.exec(kv.key.toString()) ?? [];
      const name = parsed.name ?? (node && cidr ? affinityName(node, cidr.replace(/-(\d+)$/, "/$1")) : "");
      object = { apiVersion: "projectcalico.org/v3", kind, metadata: { name, ...parsed.namespace ? { namespace: parsed.namespace } : {} } };
    }
    return { type: "deleted", kind, object, revision };
  }
  /** @internal */
  describeEndpoints() {
    return this.endpoints.join(",");
  }
  async close() {
    if (this.closed) return;
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
    this.client.close();
  }
};
var MIN_BACKOFF_MS = 100;
var MAX_BACKOFF_MS = 3e3;
var EtcdWatch = class {
  constructor(store, client, opts, onEvent, onError, onEnd) {
    this.store = store;
    this.client = client;
    this.onEvent = onEvent;
    this.onError = onError;
    this.onEnd = onEnd;
    this.delivered = opts.fromRevision;
    this.kinds = opts.kinds ? new Set(opts.kinds) : void 0;
  }
  store;
  client;
  onEvent;
  onError;
  onEnd;
  delivered;
  stream;
  stopped = false;
  backoffMs = MIN_BACKOFF_MS;
  retryTimer;
  kinds;
  wasDown = false;
  start() {
    void this.connect();
  }
  async connect() {
    this.retryTimer = void 0;
    if (this.stopped) return;
    let stream;
    try {
      stream = await this.client.watchClient.watch();
    } catch (err) {
      this.down(err);
      return;
    }
    if (this.stopped) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on("data", (res) => {
      if (this.stream === stream) this.handle(res);
    });
    stream.on("error", (err) => {
      if (this.stream === stream) this.down(err);
    });
    stream.on("end", () => {
      if (this.stream === stream) this.down(new Error("watch stream ended"));
    });
    const r = this.store.keys.watchRange();
    stream.write({
      create_request: { key: Buffer.from(r.key), range_end: r.rangeEnd, start_revision: this.delivered + 1, prev_kv: true }
    });
  }
  handle(res) {
    if (this.stopped) return;
    if (res.compact_revision && res.compact_revision !== "0") {
      const oldest = rev(res.compact_revision);
      this.fail(new DatastoreError("Compacted", `revision ${this.delivered} has been compacted (etcd history starts at ${oldest})`, oldest));
      return;
    }
    if (res.canceled) {
      this.fail(new DatastoreError("Unavailable", `etcd at ${this.store.describeEndpoints()} cancelled the watch: ${res.cancel_reason || "no reason given"}`));
      return;
    }
    if (res.created) {
      this.backoffMs = MIN_BACKOFF_MS;
      if (this.wasDown) log.info({ fromRevision: this.delivered + 1 }, "etcd watch resumed");
      this.wasDown = false;
    }
    const floor = this.delivered;
    for (const e of res.events ?? []) {
      const revision = rev(e.kv.mod_revision);
      if (revision <= floor) continue;
      this.delivered = Math.max(this.delivered, revision);
      const ev = this.store.eventFor(e.type, e.kv, e.prev_kv);
      if (!ev || this.kinds && !this.kinds.has(ev.kind)) continue;
      this.onEvent(ev);
      if (this.stopped) return;
    }
  }
  down(err) {
    if (this.stopped) return;
    const old = this.stream;
    this.stream = void 0;
    try {
      old?.cancel();
    } catch {
    }
    if (!this.wasDown) {
      log.warn({ err: err instanceof Error ? err.message : String(err), endpoints: this.store.describeEndpoints() }, "etcd watch disconnected; retrying");
    }
    this.wasDown = true;
    this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
  fail(err) {
    this.stop();
    this.onError(err);
  }
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.stream;
    this.stream = void 0;
    try {
      s?.cancel();
    } catch {
    }
    this.onEnd();
  }
};
export {
  EtcdDatastore
};
