// A small libcni: what a container runtime (containerd, CRI-O) does with a CNI config dir and bin dir.
// Loads the first network config (lexical order, `.conflist` / `.conf` / `.json`), invokes each plugin of
// the list in order with the previous plugin's result as `prevResult` (ADD), in reverse order with the
// cached result (DEL), and reports plugin errors by their CNI error JSON. Plugins run inside the node's
// network namespace, exactly where a runtime on that node would run them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TabbyError } from '../errors.ts';

export interface CniPluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
  disableCheck?: boolean;
  /** The file it came from. */
  source: string;
}

export interface CniRuntimeOptions {
  confDir: string;
  /** Searched in order, like CNI_PATH. */
  binDirs: string[];
  /** Network namespace to run plugins in (the node's), or undefined for the caller's. */
  hostNetns?: string;
  /** Where results are cached between ADD and DEL (libcni keeps them under /var/lib/cni/results). */
  cacheDir: string;
  /** Extra environment for plugins (e.g. a log level); the CNI_* variables are always set by the runtime. */
  extraEnv?: Record<string, string>;
  timeoutMs?: number;
}

export interface CniAttachment {
  containerId: string;
  /** Path of the pod's network namespace, e.g. /run/netns/<name>. */
  netnsPath: string;
  ifname: string;
  /** CNI_ARGS, e.g. K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID. */
  args: Record<string, string>;
  /** Runtime config passed to plugins that declare the matching capability (CNI conventions). */
  capabilityArgs?: Record<string, unknown>;
  /** Extra top-level `args` in each plugin's config (CNI conventions: args.cni.labels, …). */
  confArgs?: Record<string, unknown>;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; mtu?: number; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  routes?: { dst: string; gw?: string }[];
  dns?: unknown;
  [key: string]: unknown;
}

/** A plugin failed; carries the CNI error it printed (code, msg, details) when it printed one. */
export class CniPluginError extends TabbyError {
  constructor(
    readonly plugin: string,
    readonly command: string,
    /** The CNI error code the plugin printed, if it printed one. */
    readonly cniCode: number | undefined,
    readonly msg: string,
    readonly details: string | undefined,
    readonly stderr: string,
  ) {
    super('CniPluginFailed', `CNI plugin ${plugin} ${command} failed${cniCode !== undefined ? ` (code ${cniCode})` : ''}: ${msg}${details ? ` (${details})` : ''}`);
    this.name = 'CniPluginError';
  }
}

/** Reads the network config a runtime would pick from a config dir: the first file in lexical order. */
export function loadNetworkConfig(confDir: string): CniConfList {
  let files: string[];
  try {
    files = fs.readdirSync(confDir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort();
  } catch (e: any) {
    throw new Error(`CNI config dir ${confDir} is unreadable: ${e.message}`);
  }
  if (files.length === 0) throw new Error(`no CNI network config (*.conflist, *.conf, *.json) in ${confDir}: was \`tabby cni install\` run?`);
  const source = path.join(confDir, files[0]!);
  let raw: any;
  try {
    raw = JSON.parse(fs.readFileSync(source, 'utf8'));
  } catch (e: any) {
    throw new Error(`CNI config ${source} is not valid JSON: ${e.message}`);
  }
  return parseNetworkConfig(raw, source);
}

/** Validates a conflist (or a single-plugin .conf, wrapped into a list as libcni does). */
export function parseNetworkConfig(raw: any, source: string): CniConfList {
  if (!raw || typeof raw !== 'object') throw new Error(`CNI config ${source}: not a JSON object`);
  if (typeof raw.name !== 'string' || raw.name === '') throw new Error(`CNI config ${source}: missing "name"`);
  const isList = Array.isArray(raw.plugins);
  const plugins: CniPluginConf[] = isList ? raw.plugins : [raw];
  if (plugins.length === 0) throw new Error(`CNI config ${source}: "plugins" is empty`);
  plugins.forEach((p, i) => {
    if (!p || typeof p.type !== 'string' || p.type === '') throw new Error(`CNI config ${source}: plugin ${i} has no "type"`);
    if (/[/\\]/.test(p.type)) throw new Error(`CNI config ${source}: plugin type "${p.type}" must be a bare executable name`);
  });
  return {
    cniVersion: typeof raw.cniVersion === 'string' && raw.cniVersion ? raw.cniVersion : '0.2.0',
    name: raw.name,
    plugins: isList ? plugins : [stripListFields(raw)],
    disableCheck: raw.disableCheck === true,
    source,
  };
}

function stripListFields(raw: any): CniPluginConf {
  const { name: _n, cniVersion: _v, ...rest } = raw;
  return rest as CniPluginConf;
}

/** The config one plugin receives: its own section plus name, cniVersion, prevResult and runtimeConfig. */
export function pluginConfig(list: CniConfList, plugin: CniPluginConf, att: CniAttachment, prevResult?: CniResult): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  if (prevResult) conf.prevResult = prevResult;
  if (plugin.capabilities && att.capabilityArgs) {
    const rc: Record<string, unknown> = {};
    for (const [cap, on] of Object.entries(plugin.capabilities)) {
      if (on && att.capabilityArgs[cap] !== undefined) rc[cap] = att.capabilityArgs[cap];
    }
    if (Object.keys(rc).length > 0) conf.runtimeConfig = rc;
  }
  if (att.confArgs) conf.args = { ...((plugin.args as object) ?? {}), ...att.confArgs };
  return conf;
}

export function formatCniArgs(args: Record<string, string>): string {
  return Object.entries(args).map(([k, v]) => {
    if (/[;=]/.test(k) || /;/.test(v)) throw new Error(`CNI_ARGS entry ${k}=${v} may not contain ';' (or '=' in the key)`);
    return `${k}=${v}`;
  }).join(';');
}

export class CniRuntime {
  constructor(readonly opts: CniRuntimeOptions) {}

  config(): CniConfList {
    return loadNetworkConfig(this.opts.confDir);
  }

  async add(att: CniAttachment): Promise<CniResult> {
    const list = this.config();
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      const out = await this.invoke(plugin.type, 'ADD', pluginConfig(list, plugin, att, prev), att);
      prev = parseResult(out, plugin.type);
    }
    const result = prev ?? {};
    this.cacheResult(list, att, result);
    return result;
  }

  /** Best effort and idempotent, like the spec asks; every plugin is called even when one fails. */
  async del(att: CniAttachment): Promise<void> {
    const list = this.config();
    const cached = this.cachedResult(list, att);
    const errors: Error[] = [];
    for (const plugin of [...list.plugins].reverse()) {
      try {
        await this.invoke(plugin.type, 'DEL', pluginConfig(list, plugin, att, versionAtLeast(list.cniVersion, '0.4.0') ? cached : undefined), att);
      } catch (e: any) {
        errors.push(e);
      }
    }
    if (errors.length === 0) fs.rmSync(this.cacheFile(list, att), { force: true });
    if (errors.length > 0) throw errors[0];
  }

  async check(att: CniAttachment): Promise<void> {
    const list = this.config();
    if (list.disableCheck || !versionAtLeast(list.cniVersion, '0.4.0')) return;
    const cached = this.cachedResult(list, att);
    if (!cached) throw new Error(`no cached CNI result for container ${att.containerId}: it was never added`);
    for (const plugin of list.plugins) await this.invoke(plugin.type, 'CHECK', pluginConfig(list, plugin, att, cached), att);
  }

  findPlugin(type: string): string {
    for (const dir of this.opts.binDirs) {
      const p = path.join(dir, type);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch { /* next dir */ }
    }
    throw new Error(`failed to find plugin "${type}" in path [${this.opts.binDirs.join(' ')}]`);
  }

  private invoke(type: string, command: string, conf: Record<string, unknown>, att: CniAttachment): Promise<string> {
    const bin = this.findPlugin(type);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      ...this.opts.extraEnv,
      CNI_COMMAND: command,
      CNI_CONTAINERID: att.containerId,
      CNI_NETNS: att.netnsPath,
      CNI_IFNAME: att.ifname,
      CNI_ARGS: formatCniArgs(att.args),
      CNI_PATH: this.opts.binDirs.join(':'),
    };
    const argv = this.opts.hostNetns ? ['ip', 'netns', 'exec', this.opts.hostNetns, bin] : [bin];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 120_000);
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('error', (e) => { clearTimeout(timer); reject(new CniPluginError(type, command, undefined, e.message, undefined, stderr)); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve(stdout);
        let parsed: any;
        try { parsed = JSON.parse(stdout); } catch { /* not a CNI error */ }
        if (parsed && typeof parsed.msg === 'string') {
          reject(new CniPluginError(type, command, parsed.code, parsed.msg, parsed.details, stderr));
        } else {
          const why = signal ? `killed by ${signal}` : `exit ${code}`;
          const tail = (stderr || stdout).trim().split('\n').slice(-5).join('\n');
          reject(new CniPluginError(type, command, undefined, `${why}${tail ? `: ${tail}` : ''}`, undefined, stderr));
        }
      });
      child.stdin.on('error', () => { /* plugin exited without reading stdin; its exit status tells */ });
      child.stdin.end(JSON.stringify(conf));
    });
  }

  private cacheFile(list: CniConfList, att: CniAttachment): string {
    return path.join(this.opts.cacheDir, `${list.name}-${att.containerId}-${att.ifname}.json`);
  }

  private cacheResult(list: CniConfList, att: CniAttachment, result: CniResult): void {
    fs.mkdirSync(this.opts.cacheDir, { recursive: true });
    fs.writeFileSync(this.cacheFile(list, att), JSON.stringify(result));
  }

  private cachedResult(list: CniConfList, att: CniAttachment): CniResult | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.cacheFile(list, att), 'utf8')) as CniResult;
    } catch {
      return undefined;
    }
  }
}

function parseResult(stdout: string, plugin: string): CniResult {
  const text = stdout.trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as CniResult;
  } catch {
    throw new Error(`CNI plugin ${plugin} printed a result that is not JSON: ${text.slice(0, 200)}`);
  }
}

export function versionAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The first IPv4 address of a result, without its prefix length. */
export function resultIPv4(result: CniResult): string | undefined {
  for (const ip of result.ips ?? []) {
    const addr = ip.address.split('/')[0]!;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr;
  }
  const legacy = (result as any).ip4?.ip as string | undefined;
  return legacy ? legacy.split('/')[0] : undefined;
}
