// Choosing and opening a datastore, like calicoctl: flags > environment (DATASTORE_TYPE, ETCD_ENDPOINTS,
// TABBY_DATASTORE_PATH) > config file (CalicoAPIConfig YAML) > defaults (embedded at /var/lib/tabby/datastore.db).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DatastoreError, isDatastoreError, type Datastore } from './types.ts';
import { DEFAULT_DATASTORE_PATH } from '../paths.ts';

export type { Datastore } from './types.ts';
export { DatastoreError, isDatastoreError } from './types.ts';

export interface DatastoreConfig {
  type: 'embedded' | 'etcdv3';
  /** embedded: the database file. */
  path?: string | undefined;
  /** etcdv3: endpoints like http://127.0.0.1:2379 */
  etcdEndpoints?: string[] | undefined;
  /** etcdv3: prefix before `/calico/…` (default ''), so tests can share one etcd. */
  etcdKeyPrefix?: string | undefined;
  etcdCACertFile?: string | undefined;
  etcdCertFile?: string | undefined;
  etcdKeyFile?: string | undefined;
}

export { DEFAULT_DATASTORE_PATH as DEFAULT_EMBEDDED_PATH } from '../paths.ts';
/** Searched in order when no config file is named; a missing file is fine, a malformed one is an error. */
export const DEFAULT_CONFIG_FILES = ['/etc/tabby/tabby.cfg', '/etc/calico/calicoctl.cfg'];
/** calicoctl's default etcd endpoint. */
export const DEFAULT_ETCD_ENDPOINT = 'http://127.0.0.1:2379';

export interface ResolveOptions {
  /** A config file named by the user (`-c`): it must exist and parse. */
  configFile?: string | undefined;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags: they win over everything else. */
  overrides?: Layer;
}

/** One source's settings, before precedence is applied. */
/** A partial config; a setting left undefined falls through to the next layer. */
type Layer = { [K in keyof DatastoreConfig]?: DatastoreConfig[K] | undefined };

function parseType(value: unknown, source: string): DatastoreConfig['type'] {
  if (value === 'embedded' || value === 'etcdv3') return value;
  if (value === 'kubernetes') {
    throw new DatastoreError('Invalid', `${source}: datastore type "kubernetes" is not supported by Tabby (use "embedded" or "etcdv3")`);
  }
  throw new DatastoreError('Invalid', `${source}: unknown datastore type ${JSON.stringify(value)} (use "embedded" or "etcdv3")`);
}

/** `a:2379,http://b:2379` → URLs with a scheme; anything but http(s)://host:port is an error naming the source. */
function parseEndpoints(value: unknown, source: string): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!raw) throw new DatastoreError('Invalid', `${source}: etcd endpoints must be a comma-separated string or a list`);
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') throw new DatastoreError('Invalid', `${source}: etcd endpoint ${JSON.stringify(item)} is not a string`);
    const s = item.trim();
    if (!s) continue;
    const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `http://${s}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new DatastoreError('Invalid', `${source}: etcd endpoint "${s}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DatastoreError('Invalid', `${source}: etcd endpoint "${s}" must use http:// or https://`);
    }
    if (!url.hostname) throw new DatastoreError('Invalid', `${source}: etcd endpoint "${s}" has no host`);
    out.push(`${url.protocol}//${url.host}`);
  }
  if (!out.length) throw new DatastoreError('Invalid', `${source}: no etcd endpoints given`);
  return out;
}

function optionalString(value: unknown, field: string, source: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new DatastoreError('Invalid', `${source}: ${field} must be a string`);
  return value;
}

/**
 * The YAML library, loaded when a config file is read, not with this module: a node process configured by its
 * environment never reads one, and every module it loads stays in its memory. A bundle has `require` (its
 * banner's); the TypeScript source under tsx makes one.
 */
function loadYaml(): typeof import('yaml') {
  const req = typeof require === 'function' ? require : createRequire(import.meta.url);
  return req('yaml') as typeof import('yaml');
}

/** Reads a CalicoAPIConfig file (calicoctl.cfg format) into a layer. */
export function readConfigFile(file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatastoreError('Invalid', `cannot read datastore config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = loadYaml().parse(text);
  } catch (err) {
    throw new DatastoreError('Invalid', `malformed datastore config file ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const source = `config file ${file}`;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DatastoreError('Invalid', `malformed datastore config file ${file}: expected a CalicoAPIConfig document`);
  }
  const d = doc as { apiVersion?: unknown; kind?: unknown; spec?: unknown };
  if (d.apiVersion !== 'projectcalico.org/v3' || d.kind !== 'CalicoAPIConfig') {
    throw new DatastoreError('Invalid', `${source}: expected apiVersion projectcalico.org/v3 and kind CalicoAPIConfig, got ${String(d.apiVersion)} ${String(d.kind)}`);
  }
  if (d.spec === undefined || d.spec === null) return {};
  if (typeof d.spec !== 'object' || Array.isArray(d.spec)) throw new DatastoreError('Invalid', `${source}: spec must be a mapping`);
  const spec = d.spec as Record<string, unknown>;
  const layer: Layer = {};
  if (spec.datastoreType !== undefined && spec.datastoreType !== '') layer.type = parseType(spec.datastoreType, `${source} spec.datastoreType`);
  if (spec.etcdEndpoints !== undefined && spec.etcdEndpoints !== '') layer.etcdEndpoints = parseEndpoints(spec.etcdEndpoints, `${source} spec.etcdEndpoints`);
  layer.path = optionalString(spec.datastorePath, 'spec.datastorePath', source);
  layer.etcdKeyPrefix = optionalString(spec.etcdKeyPrefix, 'spec.etcdKeyPrefix', source);
  layer.etcdKeyFile = optionalString(spec.etcdKeyFile, 'spec.etcdKeyFile', source);
  layer.etcdCertFile = optionalString(spec.etcdCertFile, 'spec.etcdCertFile', source);
  layer.etcdCACertFile = optionalString(spec.etcdCACertFile, 'spec.etcdCACertFile', source);
  return layer;
}

/** calicoctl's environment variables, plus TABBY_DATASTORE_PATH and TABBY_ETCD_KEY_PREFIX. */
function envLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  if (env.DATASTORE_TYPE) layer.type = parseType(env.DATASTORE_TYPE, 'DATASTORE_TYPE');
  if (env.ETCD_ENDPOINTS) layer.etcdEndpoints = parseEndpoints(env.ETCD_ENDPOINTS, 'ETCD_ENDPOINTS');
  layer.path = env.TABBY_DATASTORE_PATH || undefined;
  layer.etcdKeyPrefix = env.TABBY_ETCD_KEY_PREFIX || undefined;
  layer.etcdKeyFile = env.ETCD_KEY_FILE || undefined;
  layer.etcdCertFile = env.ETCD_CERT_FILE || undefined;
  layer.etcdCACertFile = env.ETCD_CA_CERT_FILE || undefined;
  return layer;
}

function flagLayer(o: Layer): Layer {
  const layer: Layer = { ...o };
  if (o.type !== undefined) layer.type = parseType(o.type, 'datastore type flag');
  if (o.etcdEndpoints !== undefined) layer.etcdEndpoints = parseEndpoints(o.etcdEndpoints, 'etcd endpoints flag');
  return layer;
}

/**
 * The datastore to use. Each setting comes from the first source that has it: flags (overrides), then the
 * environment, then the config file (the one named, else the first of DEFAULT_CONFIG_FILES that exists),
 * then defaults. With no type anywhere, etcd endpoints select etcdv3 (what a calicoctl user who only set
 * ETCD_ENDPOINTS means); otherwise the type is embedded.
 */
export function resolveDatastoreConfig(opts: ResolveOptions = {}): DatastoreConfig {
  const env = opts.env ?? process.env;
  const file = opts.configFile ?? DEFAULT_CONFIG_FILES.find((f) => existsSync(f));
  const layers: Layer[] = [flagLayer(opts.overrides ?? {}), envLayer(env), file ? readConfigFile(file) : {}];
  const pick = <K extends keyof DatastoreConfig>(k: K): DatastoreConfig[K] | undefined => {
    for (const l of layers) if (l[k] !== undefined) return l[k];
    return undefined;
  };
  const endpoints = pick('etcdEndpoints');
  const type = pick('type') ?? (endpoints ? 'etcdv3' : 'embedded');
  if (type === 'embedded') {
    return { type, path: pick('path') ?? DEFAULT_DATASTORE_PATH };
  }
  const cfg: DatastoreConfig = { type, etcdEndpoints: endpoints ?? [DEFAULT_ETCD_ENDPOINT] };
  for (const k of ['etcdKeyPrefix', 'etcdCACertFile', 'etcdCertFile', 'etcdKeyFile'] as const) {
    const v = pick(k);
    if (v !== undefined) cfg[k] = v;
  }
  return cfg;
}

/** Opens the configured datastore (default: resolveDatastoreConfig()). Backends load lazily, so the CNI plugin never loads gRPC. */
export async function openDatastore(cfg: DatastoreConfig = resolveDatastoreConfig()): Promise<Datastore> {
  switch (cfg.type) {
    case 'embedded': {
      const { EmbeddedDatastore } = await import('./embedded.ts');
      return new EmbeddedDatastore(cfg.path ?? DEFAULT_DATASTORE_PATH);
    }
    case 'etcdv3': {
      const { EtcdDatastore } = await import('./etcd.ts');
      return new EtcdDatastore({
        endpoints: cfg.etcdEndpoints?.length ? cfg.etcdEndpoints : [DEFAULT_ETCD_ENDPOINT],
        keyPrefix: cfg.etcdKeyPrefix,
        caCertFile: cfg.etcdCACertFile,
        certFile: cfg.etcdCertFile,
        keyFile: cfg.etcdKeyFile,
      });
    }
    default:
      throw new DatastoreError('Invalid', `unknown datastore type ${JSON.stringify((cfg as { type: unknown }).type)}`);
  }
}

/**
 * Runs a read-modify-write `fn` until it does not lose a compare-and-swap: Conflict means another writer
 * got there first, so `fn` (which must re-read) runs again, with a growing random pause once contention
 * is evident so that many writers on one object do not stay in lock-step. Other errors pass through.
 */
export async function withRetryOnConflict<T>(fn: () => Promise<T>, attempts = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatastoreError(err, 'Conflict') || attempt >= attempts) throw err;
      if (attempt >= 3) {
        const capMs = Math.min(16, 2 ** (attempt - 2));
        await new Promise((r) => setTimeout(r, Math.random() * capMs));
      }
    }
  }
}
