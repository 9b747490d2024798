import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
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

// src/datastore/embedded.ts
import Database from "better-sqlite3";
import { mkdirSync, watch as fsWatch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
var log = createLogger("datastore");
var SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', 1), ('revision', 0), ('compacted', 0);
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  mod_revision INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  revision INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL
);
`;
var PRUNE_EVERY = 256;
var WATCH_BATCH = 1e3;
function sqliteCode(err) {
  return err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : void 0;
}
var EmbeddedDatastore = class {
  type = "embedded";
  path;
  db;
  historyLimit;
  pollIntervalMs;
  watches = /* @__PURE__ */ new Set();
  notifier;
  closed = false;
  stmt;
  constructor(path, opts = {}) {
    this.path = resolve(path);
    this.historyLimit = opts.historyLimit ?? 2e4;
    this.pollIntervalMs = opts.pollIntervalMs ?? 50;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.db = new Database(this.path, { timeout: opts.busyTimeoutMs ?? 1e4 });
    } catch (err) {
      throw new DatastoreError("Unavailable", `cannot open embedded datastore ${this.path}: ${err.message}`);
    }
    try {
      this.initSchema();
      this.stmt = {
        getMeta: this.db.prepare("SELECT value FROM meta WHERE key = ?"),
        setMeta: this.db.prepare("UPDATE meta SET value = ? WHERE key = ?"),
        getObject: this.db.prepare("SELECT mod_revision, value FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
        putObject: this.db.prepare("INSERT OR REPLACE INTO objects (kind, namespace, name, mod_revision, value) VALUES (?, ?, ?, ?, ?)"),
        deleteObject: this.db.prepare("DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
        insertEvent: this.db.prepare("INSERT INTO events (revision, type, kind, value) VALUES (?, ?, ?, ?)"),
        pruneEvents: this.db.prepare("DELETE FROM events WHERE revision <= ?"),
        eventsAfter: this.db.prepare("SELECT revision, type, kind, value FROM events WHERE revision > ? AND revision <= ? ORDER BY revision LIMIT ?")
      };
    } catch (err) {
      this.db.close();
      if (err instanceof DatastoreError) throw err;
      throw new DatastoreError("Unavailable", `cannot use embedded datastore ${this.path}: ${err.message}`);
    }
  }
  /**
   * WAL lets readers run while one process writes; NORMAL sync is durable across process crashes (the
   * only kind a CNI invocation or agent restart causes). Many processes may open a fresh file at once,
   * so the one-time switch to WAL and the schema creation retry while another process holds the lock.
   */
  initSchema() {
    const deadline = Date.now() + 1e4;
    for (; ; ) {
      try {
        if (this.db.pragma("journal_mode", { simple: true }) !== "wal") this.db.pragma("journal_mode = WAL");
        this.db.pragma("synchronous = NORMAL");
        this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
        return;
      } catch (err) {
        if (sqliteCode(err) !== "SQLITE_BUSY" || Date.now() > deadline) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }
  meta(key) {
    return this.stmt.getMeta.get(key).value;
  }
  /** Runs `fn` as one exclusive write transaction; SQLite failures become Unavailable with the file named. */
  write(fn) {
    this.checkOpen();
    let result;
    try {
      result = this.db.transaction(fn).immediate();
    } catch (err) {
      throw this.wrap(err, "write to");
    }
    this.notifier?.localChange();
    return result;
  }
  read(fn) {
    this.checkOpen();
    try {
      return this.db.transaction(fn).deferred();
    } catch (err) {
      throw this.wrap(err, "read");
    }
  }
  wrap(err, what) {
    if (err instanceof DatastoreError) return err;
    const code = sqliteCode(err);
    const hint = code === "SQLITE_BUSY" ? " (another process held the database lock too long)" : "";
    return new DatastoreError("Unavailable", `cannot ${what} embedded datastore ${this.path}: ${err.message}${hint}`);
  }
  checkOpen() {
    if (this.closed) throw new DatastoreError("Unavailable", `embedded datastore ${this.path} is closed`);
  }
  /** Appends the event for a write at `rev`, advances the revision, and trims old history now and then. */
  record(rev, type, kind, value) {
    this.stmt.insertEvent.run(rev, type, kind, value);
    this.stmt.setMeta.run(rev, "revision");
    if (rev % PRUNE_EVERY === 0 && rev > this.historyLimit) {
      const dropTo = rev - this.historyLimit;
      if (dropTo > this.meta("compacted")) {
        this.stmt.pruneEvents.run(dropTo);
        this.stmt.setMeta.run(dropTo, "compacted");
      }
    }
  }
  async get(kind, name, namespace) {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const row = this.read(() => this.stmt.getObject.get(kind, effectiveNamespace(info, namespace) ?? "", name));
    return row ? JSON.parse(row.value) : void 0;
  }
  async list(kind, opts = {}) {
    const info = requireKind(kind);
    const ns = effectiveNamespace(info, opts.namespace);
    let sql = "SELECT value FROM objects WHERE kind = ?";
    const args = [kind];
    if (ns !== void 0) {
      sql += " AND namespace = ?";
      args.push(ns);
    }
    if (opts.namePrefix) {
      sql += " AND substr(name, 1, length(?)) = ?";
      args.push(opts.namePrefix, opts.namePrefix);
    }
    sql += " ORDER BY namespace, name";
    return this.read(() => {
      const rows = this.db.prepare(sql).all(...args);
      return { items: rows.map((r) => JSON.parse(r.value)), revision: this.meta("revision") };
    });
  }
  async create(obj) {
    checkWritable(obj);
    const { kind } = obj;
    const { name } = obj.metadata;
    const ns = obj.metadata.namespace ?? "";
    const stored = stampCreate(obj);
    return this.write(() => {
      if (this.stmt.getObject.get(kind, ns, name)) throw alreadyExists(kind, name, obj.metadata.namespace);
      const rev = this.meta("revision") + 1;
      stored.metadata.resourceVersion = String(rev);
      const value = JSON.stringify(stored);
      this.stmt.putObject.run(kind, ns, name, rev, value);
      this.record(rev, "added", kind, value);
      return stored;
    });
  }
  async update(obj) {
    checkWritable(obj);
    const { kind } = obj;
    const { name, namespace, resourceVersion } = obj.metadata;
    const ns = namespace ?? "";
    return this.write(() => {
      const cur = this.stmt.getObject.get(kind, ns, name);
      if (!cur) throw notFound(kind, name, namespace);
      if (resourceVersion === void 0 || resourceVersion === "") throw missingResourceVersion(kind, name, namespace);
      if (String(cur.mod_revision) !== resourceVersion) throw conflict(kind, name, namespace, resourceVersion, cur.mod_revision);
      const stored = carryIdentity(obj, JSON.parse(cur.value));
      const rev = this.meta("revision") + 1;
      stored.metadata.resourceVersion = String(rev);
      const value = JSON.stringify(stored);
      this.stmt.putObject.run(kind, ns, name, rev, value);
      this.record(rev, "modified", kind, value);
      return stored;
    });
  }
  async delete(kind, name, namespace, resourceVersion) {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const ns = effectiveNamespace(info, namespace);
    return this.write(() => {
      const cur = this.stmt.getObject.get(kind, ns ?? "", name);
      if (!cur) throw notFound(kind, name, ns);
      if (resourceVersion !== void 0 && String(cur.mod_revision) !== resourceVersion) {
        throw conflict(kind, name, ns, resourceVersion, cur.mod_revision);
      }
      this.stmt.deleteObject.run(kind, ns ?? "", name);
      this.record(this.meta("revision") + 1, "deleted", kind, cur.value);
      return JSON.parse(cur.value);
    });
  }
  async revision() {
    return this.read(() => this.meta("revision"));
  }
  /** Drops watch history up to and including `rev` (what the retention limit does by itself). For tests and maintenance. */
  async compact(rev) {
    this.write(() => {
      const target = Math.min(rev, this.meta("revision"));
      if (target <= this.meta("compacted")) return;
      this.stmt.pruneEvents.run(target);
      this.stmt.setMeta.run(target, "compacted");
    });
  }
  watch(opts, onEvent, onError) {
    this.checkOpen();
    const w = new EmbeddedWatch(this, opts, onEvent, onError);
    this.watches.add(w);
    this.notifier ??= new ChangeNotifier(this.db, this.path, this.pollIntervalMs, () => this.pumpAll());
    setImmediate(() => w.pump());
    return w;
  }
  /** @internal Called by a watch when it ends. */
  forget(w) {
    this.watches.delete(w);
    if (this.watches.size === 0 && this.notifier) {
      this.notifier.stop();
      this.notifier = void 0;
    }
  }
  pumpAll() {
    for (const w of [...this.watches]) w.pump();
  }
  /**
   * @internal One consistent read of the events after `after`: the compaction point, the head revision,
   * and up to WATCH_BATCH events in (after, head].
   */
  readEvents(after) {
    return this.read(() => {
      const compacted = this.meta("compacted");
      const head = this.meta("revision");
      const rows = after < compacted ? [] : this.stmt.eventsAfter.all(after, head, WATCH_BATCH);
      return { compacted, head, rows };
    });
  }
  async close() {
    if (this.closed) return;
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
    this.db.close();
  }
};
var EmbeddedWatch = class {
  constructor(store, opts, onEvent, onError) {
    this.store = store;
    this.onEvent = onEvent;
    this.onError = onError;
    this.scanned = opts.fromRevision;
    this.kinds = opts.kinds ? new Set(opts.kinds) : void 0;
  }
  store;
  onEvent;
  onError;
  scanned;
  stopped = false;
  pumping = false;
  kinds;
  pump() {
    if (this.stopped || this.pumping) return;
    this.pumping = true;
    try {
      for (; ; ) {
        const { compacted, head, rows } = this.store.readEvents(this.scanned);
        if (this.scanned < compacted) {
          this.fail(new DatastoreError("Compacted", `revision ${this.scanned} has been compacted (history starts after ${compacted})`, compacted + 1));
          return;
        }
        for (const row of rows) {
          this.scanned = row.revision;
          if (this.kinds && !this.kinds.has(row.kind)) continue;
          this.onEvent({ type: row.type, kind: row.kind, object: JSON.parse(row.value), revision: row.revision });
          if (this.stopped) return;
        }
        if (rows.length < WATCH_BATCH) {
          this.scanned = Math.max(this.scanned, head);
          return;
        }
      }
    } catch (err) {
      this.fail(err instanceof DatastoreError ? err : new DatastoreError("Unavailable", `watch failed: ${err.message}`));
    } finally {
      this.pumping = false;
    }
  }
  fail(err) {
    if (this.stopped) return;
    this.stop();
    this.onError(err);
  }
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.store.forget(this);
  }
};
var ChangeNotifier = class {
  constructor(db, path, pollIntervalMs, onChange) {
    this.db = db;
    this.onChange = onChange;
    this.dataVersion = this.readDataVersion();
    const base = basename(path);
    try {
      this.fsWatcher = fsWatch(dirname(path), { persistent: false }, (_event, file) => {
        if (!file || file.startsWith(base)) this.schedule();
      });
      this.fsWatcher.on("error", (err) => {
        log.warn({ err: err.message, path }, "inotify watch on datastore directory failed; relying on polling");
        this.fsWatcher?.close();
        this.fsWatcher = void 0;
      });
    } catch (err) {
      log.warn({ err: err.message, path }, "cannot watch datastore directory; relying on polling");
    }
    this.timer = setInterval(() => {
      const v = this.readDataVersion();
      if (v !== this.dataVersion) this.schedule();
    }, pollIntervalMs);
  }
  db;
  onChange;
  fsWatcher;
  timer;
  dataVersion;
  scheduled = false;
  stopped = false;
  readDataVersion() {
    try {
      return this.db.pragma("data_version", { simple: true });
    } catch {
      return this.dataVersion;
    }
  }
  localChange() {
    this.schedule();
  }
  schedule() {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      this.dataVersion = this.readDataVersion();
      this.onChange();
    });
  }
  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.fsWatcher?.close();
  }
};
export {
  EmbeddedDatastore
};
