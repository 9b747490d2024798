// `tabby node diags [--log-dir DIR]`: calicoctl's node diags for a Tabby node. Like upstream it makes a temp
// dir with `diagnostics/`, runs one command per file there (printing what it dumps, and carrying on past a
// command that fails), copies the log dir to `diagnostics/logs`, and packs `diags-YYYYMMDD_HHMMSS.tar.gz`
// beside it. Tabby's own state replaces calico-node's: the nft ruleset instead of iptables/ipset, the FDB and
// neighbours VXLAN uses, the BGP status from the running agent, and the datastore as this node's tabby sees it.
import { cp, mkdtemp, mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../exec.ts';
import { KINDS } from '../api/kinds.ts';
import { CliError } from './errors.ts';
import { out, withDatastore } from './context.ts';
import { listOf, renderYaml } from './output.ts';
import { DEFAULT_STATUS_ENDPOINT, fetchBgpStatus } from './node-status.ts';
import { formatNodeStatus } from '../bgp/status.ts';

/** One dump: what to print while doing it, the command, and the file it goes to. */
export interface DiagCommand { info: string; argv: string[]; file: string }

export const DIAG_COMMANDS: readonly DiagCommand[] = [
  { info: '', argv: ['date'], file: 'date' },
  { info: '', argv: ['hostname'], file: 'hostname' },
  { info: 'Dumping sockets', argv: ['ss', '-a', '-n', '-p'], file: 'sockets' },
  { info: 'Dumping routes (IPv4)', argv: ['ip', '-4', 'route', 'show', 'table', 'all'], file: 'ipv4_route' },
  { info: 'Dumping routes (IPv6)', argv: ['ip', '-6', 'route', 'show', 'table', 'all'], file: 'ipv6_route' },
  { info: 'Dumping routing rules', argv: ['ip', 'rule'], file: 'ip_rules' },
  { info: 'Dumping interface info (IPv4)', argv: ['ip', '-4', 'addr'], file: 'ipv4_addr' },
  { info: 'Dumping interface info (IPv6)', argv: ['ip', '-6', 'addr'], file: 'ipv6_addr' },
  { info: 'Dumping links', argv: ['ip', '-d', 'link'], file: 'links' },
  { info: 'Dumping neighbours (ARP)', argv: ['ip', 'neigh'], file: 'neighbours' },
  { info: 'Dumping bridge FDB (VXLAN)', argv: ['bridge', 'fdb', 'show'], file: 'fdb' },
  { info: 'Dumping nftables ruleset', argv: ['nft', 'list', 'ruleset'], file: 'nft_ruleset' },
];

/** calicoctl's tarball name: diags-<local time as Go's 20060102_150405>.tar.gz. */
export function tarballName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `diags-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.tar.gz`;
}

async function dumpCommand(c: DiagCommand, dir: string): Promise<void> {
  if (c.info) out(`${c.info}\n`);
  const r = await runCommand(c.argv, { timeoutMs: 30_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (r.code !== 0) out(`Failed to run command: ${c.argv.join(' ')}\nError: ${(r.stderr || r.stdout).trim()}\n`);
  await writeFile(join(dir, c.file), r.stdout + r.stderr);
}

async function dumpBgpStatus(dir: string, endpoint: string): Promise<void> {
  out('Dumping BGP status\n');
  try {
    const status = await fetchBgpStatus(endpoint);
    await writeFile(join(dir, 'bgp_status.json'), JSON.stringify(status, null, 2) + '\n');
    await writeFile(join(dir, 'bgp_status'), status.running ? formatNodeStatus(status) : 'The BGP backend process is not running.\n');
  } catch (e) {
    out(`Failed to read the BGP status from ${endpoint}: ${(e as Error).message}\n`);
    await writeFile(join(dir, 'bgp_status'), `unavailable: ${(e as Error).message}\n`);
  }
}

/** Every kind, as `tabby get KIND -o yaml` would print it, one file each under diagnostics/datastore/. */
async function dumpDatastore(cmd: Command, dir: string): Promise<void> {
  out('Dumping datastore\n');
  const ddir = join(dir, 'datastore');
  await mkdir(ddir);
  try {
    await withDatastore(cmd, async ({ datastore }) => {
      for (const k of KINDS) {
        const items = (await datastore.list(k.kind)).items;
        await writeFile(join(ddir, `${k.plural}.yaml`), renderYaml(listOf(k.kind, items)));
      }
    });
  } catch (e) {
    out(`Failed to read the datastore: ${(e as Error).message}\n`);
    await writeFile(join(ddir, 'error'), `${(e as Error).message}\n`);
  }
}

async function copyLogs(logDir: string, dest: string): Promise<void> {
  let isDir = false;
  try { isDir = (await stat(logDir)).isDirectory(); } catch (e) { out(`Error copying log files: ${(e as Error).message}\n`); return; }
  if (!isDir) { out(`No logs found in ${logDir}; skipping log copying\n`); return; }
  out('Copying Tabby logs\n');
  await cp(logDir, dest, { recursive: true }).catch((e: Error) => out(`Error copying log files: ${e.message}\n`));
}

async function runDiags(cmd: Command, opts: { logDir: string; endpoint: string }): Promise<string> {
  out('Collecting diagnostics\n');
  const tmp = await mkdtemp(join(tmpdir(), 'tabby'));
  out(`Using temp dir: ${tmp}\n`);
  const dir = join(tmp, 'diagnostics');
  await mkdir(dir);
  for (const c of DIAG_COMMANDS) await dumpCommand(c, dir);
  await dumpBgpStatus(dir, opts.endpoint);
  await dumpDatastore(cmd, dir);
  await copyLogs(opts.logDir, join(dir, 'logs'));
  const tarball = join(tmp, tarballName(new Date()));
  const r = await runCommand(['tar', '-C', tmp, '-zcf', tarball, 'diagnostics']);
  if (r.code !== 0) throw new CliError(`Error compressing the diagnostics: ${r.stderr.trim()}`);
  out(`\nDiags saved to ${tarball}\n`);
  return tarball;
}

export function registerNodeDiags(nodeCmd: Command): void {
  nodeCmd.command('diags')
    .description('Gather this node\'s diagnostics into a tarball: routes, links, FDB, nft ruleset, BGP status, datastore, logs')
    .option('--log-dir <dir>', 'the directory with Tabby\'s logs (env TABBY_LOG_DIR)', process.env.TABBY_LOG_DIR ?? '/var/log/calico')
    .option('--endpoint <url>', 'status endpoint of the running node (for the BGP status)', process.env.TABBY_NODE_STATUS_URL ?? DEFAULT_STATUS_ENDPOINT)
    .action(async (opts: { logDir: string; endpoint: string }, cmd: Command) => { await runDiags(cmd, opts); });
}
