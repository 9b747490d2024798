// `tabby cni install`: what Calico's install-cni init container does — put the plugin executables in the
// runtime's CNI bin dir and write 10-calico.conflist into its conf dir (atomically: temp file + rename).
// tabby-cni and calico are the compiled fast entry (dist/tabby-cni-fast, Bun; scripts/build-cni-fast.mjs)
// when it was built, linked rather than copied (it is ~105 MB); otherwise, like the IPAM executables, tiny
// launchers that run the esbuild bundles with this node binary, so a runtime pays only for Node's start and
// the bundle, not for TypeScript compilation. `entry: 'node'` installs the launchers in every case.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../project-root.ts';

export interface InstallOptions {
  binDir: string;
  confDir: string;
  datastorePath?: string;
  datastoreType?: 'embedded' | 'etcdv3' | 'kubernetes';
  etcdEndpoints?: string;
  /** Client TLS for etcd: Calico's netconf keys etcd_ca_cert_file, etcd_cert_file, etcd_key_file. */
  etcdCACertFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  nodename?: string;
  /** 0 = auto (read <state_dir>/mtu written by the node agent). */
  mtu?: number;
  stateDir?: string;
  logFile?: string;
  logLevel?: string;
  confName?: string;
  networkName?: string;
  cniVersion?: string;
  /** Chain portmap + bandwidth after the plugin, as the article's conflist does. Default true. */
  chain?: boolean;
  /** Project root holding dist/ and src/ (default: derived from this file). */
  root?: string;
  /** Which entry serves tabby-cni/calico: the compiled one when built (default), or always Node's. */
  entry?: 'auto' | 'node';
}

export interface InstallReport { executables: string[]; conflist: string; fromSource: boolean; compiledEntry: boolean }

/** The compiled fast entry (see scripts/build-cni-fast.mjs). */
export const FAST_ENTRY = 'dist/tabby-cni-fast';
/** The executables the fast entry can stand for. */
const FAST_NAMES = new Set(['tabby-cni', 'calico']);

export const EXECUTABLES: Array<[name: string, bundle: string, source: string]> = [
  ['tabby-cni', 'dist/tabby-cni.cjs', 'src/cni/main.ts'],
  ['tabby-ipam', 'dist/tabby-ipam.mjs', 'src/cni/ipam-main.ts'],
  ['calico', 'dist/tabby-cni.cjs', 'src/cni/main.ts'],
  ['calico-ipam', 'dist/tabby-ipam.mjs', 'src/cni/ipam-main.ts'],
];

export { projectRoot };

/** The launcher: a node script (shebang = this node) importing the bundle; from source via tsx if not built. */
export function launcherText(root: string, bundle: string, source: string): { text: string; fromSource: boolean } {
  const bundlePath = join(root, bundle);
  if (existsSync(bundlePath)) {
    // A CommonJS bundle is required (no ESM loader start-up); an ESM one imported.
    const load = bundle.endsWith('.cjs') ? `require(${JSON.stringify(bundlePath)})` : `import(${JSON.stringify(pathToFileURL(bundlePath).href)})`;
    return { text: `#!${process.execPath}\n${load};\n`, fromSource: false };
  }
  const tsx = join(root, 'node_modules/tsx/dist/esm/index.mjs');
  return {
    text: `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(pathToFileURL(tsx).href)} ${JSON.stringify(join(root, source))} "$@"\n`,
    fromSource: true,
  };
}

export function buildConflist(o: InstallOptions): Record<string, unknown> {
  const plugin: Record<string, unknown> = {
    type: 'calico',
    log_level: o.logLevel ?? 'info',
    log_file_path: o.logFile ?? '/var/log/calico/cni/cni.log',
    datastore_type: o.datastoreType ?? (o.etcdEndpoints ? 'etcdv3' : 'embedded'),
  };
  if (o.etcdEndpoints) plugin.etcd_endpoints = o.etcdEndpoints;
  if (o.etcdKeyFile) plugin.etcd_key_file = o.etcdKeyFile;
  if (o.etcdCertFile) plugin.etcd_cert_file = o.etcdCertFile;
  if (o.etcdCACertFile) plugin.etcd_ca_cert_file = o.etcdCACertFile;
  if (o.datastorePath) plugin.datastore_path = o.datastorePath;
  if (o.nodename) plugin.nodename = o.nodename;
  plugin.mtu = o.mtu ?? 0;
  if (o.stateDir) plugin.state_dir = o.stateDir;
  plugin.ipam = { type: 'calico-ipam' };
  plugin.policy = { type: 'k8s' };
  const plugins: Record<string, unknown>[] = [plugin];
  if (o.chain !== false) {
    plugins.push({ type: 'portmap', snat: true, capabilities: { portMappings: true } });
    plugins.push({ type: 'bandwidth', capabilities: { bandwidth: true } });
  }
  return { name: o.networkName ?? 'k8s-pod-network', cniVersion: o.cniVersion ?? '1.0.0', plugins };
}

/** Points `path` at `target` atomically (a runtime executing the old file meanwhile is unaffected). */
function linkAtomic(path: string, target: string): void {
  const tmp = `${path}.tabby-tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, path);
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tabby-tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function installCni(o: InstallOptions): InstallReport {
  const root = o.root ?? projectRoot();
  mkdirSync(o.binDir, { recursive: true });
  mkdirSync(o.confDir, { recursive: true });
  const executables: string[] = [];
  let fromSource = false;
  const fast = join(root, FAST_ENTRY);
  const compiledEntry = o.entry !== 'node' && existsSync(fast);
  for (const [name, bundle, source] of EXECUTABLES) {
    const path = join(o.binDir, name);
    if (compiledEntry && FAST_NAMES.has(name)) {
      linkAtomic(path, fast);
    } else {
      const l = launcherText(root, bundle, source);
      fromSource ||= l.fromSource;
      writeAtomic(path, l.text, 0o755);
    }
    executables.push(path);
  }
  const conflist = join(o.confDir, o.confName ?? process.env.CNI_CONF_NAME ?? '10-calico.conflist');
  writeAtomic(conflist, JSON.stringify(buildConflist(o), null, 2) + '\n', 0o644);
  return { executables, conflist, fromSource, compiledEntry };
}
