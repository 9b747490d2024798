// `tabby node checksystem [--kernel-config FILE]`: calicoctl's node checksystem for what Tabby's dataplane uses.
// As upstream, a module counts as present when it is loadable (modules.dep), built in (modules.builtin), loaded
// (/proc/modules) or enabled in the kernel config (/boot/config-<release>, …, and /proc/config.gz), and each line prints
// "\t\t<name padded to 20>\t\t\t\t\t<OK|FAIL>". Differences, because Tabby's dataplane differs: nftables replaces
// iptables/ipset, and IPIP without the ipip module is not a failure when tc eBPF can stand in (src/ipip).
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { release } from 'node:os';
import type { Command } from 'commander';
import { CliError } from './errors.ts';
import { out } from './context.ts';

/** A kernel feature: its module name, and the kernel config symbols that provide it. */
interface Feature { module: string; config: string[]; why: string }

/** Needed whatever the mode: pod veths, policy and NAT in nftables, conntrack for policy's established flows. */
export const REQUIRED: readonly Feature[] = [
  { module: 'veth', config: ['CONFIG_VETH'], why: 'pod interfaces' },
  { module: 'nf_tables', config: ['CONFIG_NF_TABLES'], why: 'network policy and NAT (nftables)' },
  { module: 'nf_conntrack', config: ['CONFIG_NF_CONNTRACK'], why: 'policy: replies of allowed connections' },
  { module: 'nft_ct', config: ['CONFIG_NFT_CT'], why: 'policy: ct state in nftables' },
  { module: 'nft_masq', config: ['CONFIG_NFT_MASQ'], why: 'natOutgoing (masquerade)' },
];
export const VXLAN: Feature = { module: 'vxlan', config: ['CONFIG_VXLAN'], why: 'VXLAN mode (vxlan.calico)' };
export const IPIP: Feature = { module: 'ipip', config: ['CONFIG_NET_IPIP'], why: 'IPIP mode (tunl0)' };
/** What the tc eBPF stand-in for ipip needs: a TUN tunl0, the clsact qdisc and a BPF classifier. */
export const IPIP_EBPF: readonly Feature[] = [
  { module: 'tun', config: ['CONFIG_TUN'], why: 'eBPF IPIP: TUN tunl0' },
  { module: 'sch_ingress', config: ['CONFIG_NET_SCH_INGRESS'], why: 'eBPF IPIP: clsact qdisc' },
  { module: 'cls_bpf', config: ['CONFIG_NET_CLS_BPF'], why: 'eBPF IPIP: BPF classifier' },
];

/**
 * calicoctl's minimum is 2.6.24 (network namespaces, veth). Tabby's policy needs nftables: the inet family
 * (3.14), masquerade (3.18) and concatenated set keys for named ports (`ipv4_addr . inet_service`, 4.1).
 */
export const MIN_KERNEL = '4.1';

/** What the checks read; the command fills it from the running system, tests from fixtures. */
export interface KernelView {
  release: string;
  modulesDep: string;
  modulesBuiltin: string;
  /** /proc/modules (what lsmod prints). */
  loaded: string;
  /** The kernel config text, or '' when none was found. */
  config: string;
  configPath: string;
}

export function versionAtLeast(have: string, want: string): boolean {
  const nums = (v: string) => (/^(\d+(?:\.\d+)*)/.exec(v)?.[1] ?? '0').split('.').map(Number);
  const a = nums(have);
  const b = nums(want);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Module file names use "-" and "_" interchangeably; modules.dep lists `kernel/…/<name>.ko[.xz|.zst|.gz]:`. */
export function hasFeature(view: KernelView, f: Feature): boolean {
  const alt = f.module.replace(/[-_]/g, '[-_]');
  const file = new RegExp(`/${alt}\\.ko(\\.[a-z]+)?(:|$)`, 'm');
  if (file.test(view.modulesDep) || file.test(view.modulesBuiltin)) return true;
  if (new RegExp(`^${alt} `, 'm').test(view.loaded)) return true;
  return f.config.some((c) => new RegExp(`^${c}=[ym]$`, 'm').test(view.config));
}

export function resultLine(value: string, result: string): string {
  return `\t\t${value.padEnd(20)}\t\t\t\t\t${result}\n`;
}

/** Run every check; returns the text to print and whether the system is good enough. */
export function checkSystem(view: KernelView): { text: string; ok: boolean } {
  let text = 'Checking kernel version...\n';
  let ok = true;
  if (versionAtLeast(view.release, MIN_KERNEL)) {
    text += resultLine(view.release, 'OK');
  } else {
    text += resultLine(view.release, 'FAIL') + `Minimum kernel version to run Tabby is ${MIN_KERNEL}. Detected kernel version: ${view.release}\n`;
    ok = false;
  }
  text += 'Checking kernel modules...\n';
  for (const f of [...REQUIRED, VXLAN]) {
    const found = hasFeature(view, f);
    if (!found) text += `WARNING: Unable to detect the ${f.module} module as Loaded/Builtin module or lsmod (needed for ${f.why})\n`;
    text += resultLine(f.module, found ? 'OK' : 'FAIL');
    ok &&= found;
  }
  if (hasFeature(view, IPIP)) {
    text += resultLine(IPIP.module, 'OK');
  } else {
    const missing = IPIP_EBPF.filter((f) => !hasFeature(view, f));
    if (missing.length === 0) {
      text += `NOTE: no ipip module; IPIP mode will encapsulate with tc eBPF on a TUN tunl0 (${IPIP_EBPF.map((f) => f.module).join(', ')} found)\n`;
      text += resultLine(IPIP.module, 'OK (eBPF)');
    } else {
      text += `WARNING: no ipip module, and the eBPF fallback lacks ${missing.map((f) => f.module).join(', ')}: IPIP mode cannot work (VXLAN and no-encap modes can)\n`;
      text += resultLine(IPIP.module, 'FAIL');
      ok = false;
    }
  }
  text += ok ? 'System meets minimum system requirements to run Tabby!\n' : '';
  return { text, ok };
}

async function readOr(path: string, fallback = ''): Promise<string> {
  try { return await readFile(path, 'utf8'); } catch { return fallback; }
}

/** The kernel config: the --kernel-config file, else the first of upstream's usual places. */
async function findKernelConfig(rel: string, override?: string): Promise<string> {
  if (override) return override;
  for (const p of ['/usr/src/linux/.config', `/boot/config-${rel}`, `/usr/src/linux-${rel}/.config`, `/usr/src/linux-headers-${rel}/.config`, `/lib/modules/${rel}/build/.config`]) {
    try { await stat(p); return p; } catch { /* next */ }
  }
  return '';
}

export async function readKernelView(kernelConfig?: string): Promise<KernelView> {
  const rel = release();
  const configPath = await findKernelConfig(rel, kernelConfig);
  if (kernelConfig) {
    try { await stat(kernelConfig); } catch { throw new CliError(`--kernel-config ${kernelConfig}: no such file`); }
  }
  let config = configPath ? await readOr(configPath) : '';
  let source = configPath;
  if (!config) {
    // Kernels built without module files (VMs, minimal images) often expose their config here instead.
    try { config = gunzipSync(await readFile('/proc/config.gz')).toString('utf8'); source = '/proc/config.gz'; } catch { /* none */ }
  }
  return {
    release: rel,
    modulesDep: await readOr(`/lib/modules/${rel}/modules.dep`),
    modulesBuiltin: await readOr(`/lib/modules/${rel}/modules.builtin`),
    loaded: await readOr('/proc/modules'),
    config,
    configPath: source,
  };
}

export function registerNodeChecksystem(nodeCmd: Command): void {
  nodeCmd.command('checksystem')
    .description('Check that this kernel has what Tabby needs (veth, nftables, conntrack, VXLAN, IPIP or its eBPF fallback)')
    .option('-f, --kernel-config <file>', 'the kernel config file to read (default: /boot/config-<release> and the usual places)')
    .action(async (opts: { kernelConfig?: string }) => {
      const { text, ok } = checkSystem(await readKernelView(opts.kernelConfig));
      out(text);
      if (!ok) throw new CliError('system doesn\'t meet one or more minimum systems requirements to run Tabby');
    });
}
