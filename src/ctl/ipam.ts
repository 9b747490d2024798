// `tabby ipam show|check|release|configure`: calicoctl's IPAM commands (calico-behaviour.md §2.7).
// Tables use the bordered Go tablewriter style calicoctl ≤3.32 prints.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  checkIpam, createIpam, formatCheckReport, loadSnapshot, lookupIP, usageRows, borrowedRows, IpamError, ip4,
  effectiveMaxBlocks,
} from '../ipam/index.ts';
import { decideOnDemand, leakInputFrom, type LeakAllocation } from '../ipam/leak-gc.ts';
import { releaseAllocations } from '../ipam/release.ts';
import { parseDurationSeconds } from '../bgp/config.ts';
import { withDatastore, out } from './context.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';

const NUMERIC = /^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$/;

function pad(s: string, width: number, align: 'left' | 'right' | 'center'): string {
  const gap = width - [...s].length;
  if (gap <= 0) return s;
  if (align === 'right') return ' '.repeat(gap) + s;
  if (align === 'left') return s + ' '.repeat(gap);
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

/** olekukonko/tablewriter defaults: `+---+` borders, centred headers, numbers right-aligned, others left. */
export function borderedTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const fmt = (cells: string[], head: boolean) =>
    '|' + cells.map((c, i) => ' ' + pad(c, widths[i]!, head ? 'center' : NUMERIC.test(c) ? 'right' : 'left') + ' ').join('|') + '|\n';
  return line + fmt(header, true) + line + rows.map((r) => fmt(r, false)).join('') + line;
}

function percent(n: number, total: number): string {
  return `${n} (${total ? Math.round((100 * n) / total) : 0}%)`;
}

function parseBool(flag: string, v: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new CliError(`invalid value for ${flag}: ${JSON.stringify(v)} (use true or false)`, EXIT_USAGE);
}

function parseIPFlag(v: string): string {
  const ip = v.split('/')[0]!;
  if (!ip4.isIPv4(ip)) throw new CliError(`invalid IP address ${JSON.stringify(v)}${v.includes(':') ? ' (IPv6 is not supported by this IPAM yet)' : ''}`, EXIT_USAGE);
  return ip;
}

export function registerIpamCommands(program: Command): void {
  const ipam = program.command('ipam').description('IP address management: show usage, check consistency, release addresses, configure');
  registerShowIpamCommand(ipam);
  registerCheckIpamCommand(ipam);
  registerReleaseIpamCommand(ipam);
  registerConfigureIpamCommand(ipam);
}

function registerShowIpamCommand(ipam: Command): void {
  ipam
    .command('show')
    .description('show IP pool and block usage, one address, borrowed addresses or the IPAM configuration')
    .option('--ip <ip>', 'report whether this address is in use and by what')
    .option('--show-blocks', 'show each block of every pool')
    .option('--show-borrowed', 'list addresses a node uses from another node\'s block')
    .option('--show-configuration', 'show the IPAM configuration')
    .action(async (opts: { ip?: string; showBlocks?: boolean; showBorrowed?: boolean; showConfiguration?: boolean }, cmd: Command) => {
      const ip = opts.ip !== undefined ? parseIPFlag(opts.ip) : undefined;
      await withDatastore(cmd, async ({ datastore }) => {
        const snap = await loadSnapshot(datastore);
        if (opts.showConfiguration) {
          const c = snap.config;
          out(borderedTable(['PROPERTY', 'VALUE'], [
            ['StrictAffinity', String(c.strictAffinity)],
            ['AutoAllocateBlocks', String(c.autoAllocateBlocks)],
            ['MaxBlocksPerHost', String(c.maxBlocksPerHost)],
          ]));
          return;
        }
        if (ip !== undefined) {
          const a = lookupIP(snap, ip);
          if (!a) {
            out(`${ip} is not assigned\n`);
            return;
          }
          const lines = [`IP ${ip} is in use`];
          if (a.handle) lines.push(`Handle ID: ${a.handle}`);
          lines.push(`Block: ${a.block}${a.blockOwner ? ` (affine to ${a.blockOwner})` : ''}`);
          const keys = Object.keys(a.attrs).sort();
          if (keys.length) {
            lines.push('Attributes:');
            for (const k of keys) lines.push(`  ${k}: ${a.attrs[k]}`);
          }
          out(lines.join('\n') + '\n');
          return;
        }
        if (opts.showBorrowed) {
          const rows = borrowedRows(snap).map((r) => [r.ip, r.borrowingNode, r.block, r.blockOwner, r.type, r.allocatedTo]);
          out(borderedTable(['IP', 'BORROWING-NODE', 'BLOCK', 'BLOCK OWNER', 'TYPE', 'ALLOCATED-TO'], rows));
          return;
        }
        const rows = usageRows(snap, !!opts.showBlocks).map((r) => [r.grouping, r.cidr, String(r.total), percent(r.inUse, r.total), percent(r.reserved, r.total), percent(r.free, r.total)]);
        out(borderedTable(['GROUPING', 'CIDR', 'IPS TOTAL', 'IPS IN USE', 'IPS RESERVED', 'IPS FREE'], rows));
      });
    });
}

function registerCheckIpamCommand(ipam: Command): void {
  ipam
    .command('check')
    .description('check IPAM for inconsistencies (leaked addresses, unallocated in-use addresses, orphaned handles, ...); exit code 1 when problems are found')
    .option('-o, --output <file>', 'also write a JSON report to this file')
    .option('--show-all-ips', 'print every in-use address')
    .option('--show-problem-ips', 'print every problem address even when there are many')
    .action(async (opts: { output?: string; showAllIps?: boolean; showProblemIps?: boolean }, cmd: Command) => {
      await withDatastore(cmd, async ({ datastore }) => {
        const snap = await loadSnapshot(datastore);
        const report = checkIpam(snap);
        out(formatCheckReport(report, snap, { showAllIPs: opts.showAllIps, showProblemIPs: opts.showProblemIps }));
        if (opts.output) {
          writeFileSync(opts.output, JSON.stringify(report, null, 2) + '\n');
          out(`Wrote report to ${opts.output}\n`);
        }
        if (report.problems > 0) process.exitCode = EXIT_FAILED;
      });
    });
}

function registerReleaseIpamCommand(ipam: Command): void {
  ipam
    .command('release')
    .description('release an IP address, the leaked addresses of an `ipam check -o` report, or every leaked address now')
    .option('--ip <ip>', 'the address to release')
    .option('--from-report <file>', 'release the addresses a check report found allocated but not in use (re-checked now)')
    .option('--leaked', 'release what `ipam check` reports as allocated but not in use, except addresses of a container that has a WorkloadEndpoint, tunnel addresses, allocations without pod attributes, and allocations younger than --min-age')
    .option('--min-age <duration>', 'with --leaked: keep allocations made less than this long ago (an ADD may still be writing its endpoint)', '5m')
    .option('--dry-run', 'with --leaked: list what would be released, change nothing')
    .option('--force', 'accepted for calicoctl compatibility (Tabby needs no datastore lock)')
    .action(async (opts: { ip?: string; fromReport?: string; leaked?: boolean; minAge: string; dryRun?: boolean }, cmd: Command) => {
      if ([opts.ip, opts.fromReport, opts.leaked].filter((x) => x !== undefined).length !== 1) {
        throw new CliError('give exactly one of --ip, --from-report or --leaked', EXIT_USAGE);
      }
      if (opts.dryRun && !opts.leaked) throw new CliError('--dry-run goes with --leaked', EXIT_USAGE);
      if (opts.leaked) { await releaseLeaked(cmd, parseMinAge(opts.minAge), !!opts.dryRun); return; }
      if (opts.ip !== undefined) {
        const ip = parseIPFlag(opts.ip);
        await withDatastore(cmd, async ({ datastore }) => {
          const left = await createIpam(datastore).releaseIPs([ip]);
          if (left.length) throw new CliError(`IP address ${ip} is not assigned`, EXIT_FAILED);
          out(`Successfully released IP address ${ip}\n`);
        });
        return;
      }
      let leaks: Array<{ ip: string; handle?: string }>;
      try {
        const report = JSON.parse(readFileSync(opts.fromReport!, 'utf8')) as { allocatedNotInUse?: unknown };
        if (!Array.isArray(report.allocatedNotInUse)) throw new Error('no allocatedNotInUse list');
        leaks = report.allocatedNotInUse as Array<{ ip: string; handle?: string }>;
      } catch (e) {
        throw new CliError(`cannot use report ${opts.fromReport}: ${(e as Error).message}`, EXIT_USAGE);
      }
      await withDatastore(cmd, async ({ datastore }) => {
        // Re-validate against the current state: only addresses still held by the same handle and still unused.
        const now = checkIpam(await loadSnapshot(datastore));
        const stillLeaked = new Map(now.allocatedNotInUse.map((a) => [a.ip, a.handle]));
        const toRelease = leaks.filter((l) => stillLeaked.has(l.ip) && stillLeaked.get(l.ip) === l.handle).map((l) => l.ip);
        const left = await createIpam(datastore).releaseIPs(toRelease);
        const released = toRelease.length - left.length;
        out(`Released ${released} leaked IP address${released === 1 ? '' : 'es'}; skipped ${leaks.length - released} no longer leaked.\n`);
      });
    });
}

function parseMinAge(v: string): number {
  let sec: number | undefined;
  try { sec = parseDurationSeconds(v); } catch { sec = undefined; }
  if (sec === undefined || sec < 0) throw new CliError(`invalid value for --min-age: ${JSON.stringify(v)} (a duration such as 5m, 30s or 0)`, EXIT_USAGE);
  return sec * 1000;
}

function describeAllocation(a: LeakAllocation): string {
  const who = a.attrs.pod ? `, pod ${a.attrs.namespace ?? ''}/${a.attrs.pod}` : '';
  return `${a.ip} (handle ${a.handle}${a.node ? `, node ${a.node}` : ''}${who})`;
}

/** `ipam release --leaked`: the same leaks `ipam check` reports, minus what may still be in use (leak-gc.ts decideOnDemand). */
async function releaseLeaked(cmd: Command, minAgeMs: number, dryRun: boolean): Promise<void> {
  await withDatastore(cmd, async ({ datastore }) => {
    const snap = await loadSnapshot(datastore);
    const { release, kept } = decideOnDemand({ ...leakInputFrom(snap), now: Date.now() }, minAgeMs);
    const lines: string[] = [];
    const done = dryRun ? release : await releaseAllocations(datastore, release);
    const doneSet = new Set(done);
    for (const a of done) lines.push(`${dryRun ? 'Would release' : 'Released'} ${describeAllocation(a)}`);
    for (const a of release) if (!doneSet.has(a)) lines.push(`Skipped ${describeAllocation(a)}: changed since it was read`);
    for (const k of kept) lines.push(`Kept ${describeAllocation(k.allocation)}: ${k.reason}`);
    const n = done.length, plural = n === 1 ? '' : 'es';
    lines.push(dryRun
      ? `Would release ${n} leaked IP address${plural} (dry run: nothing was changed); would keep ${kept.length}.`
      : `Released ${n} leaked IP address${plural}; kept ${kept.length}${release.length > n ? `; skipped ${release.length - n} changed since read` : ''}.`);
    out(lines.join('\n') + '\n');
  });
}

function registerConfigureIpamCommand(ipam: Command): void {
  ipam
    .command('configure')
    .description('change the IPAM configuration')
    .option('--strictaffinity <bool>', 'true: a node never borrows addresses from another node\'s block')
    .option('--max-blocks-per-host <n>', 'most blocks one node may claim (0 = default of 20)')
    .action(async (opts: { strictaffinity?: string; maxBlocksPerHost?: string }, cmd: Command) => {
      const patch: { strictAffinity?: boolean; maxBlocksPerHost?: number } = {};
      if (opts.strictaffinity !== undefined) patch.strictAffinity = parseBool('--strictaffinity', opts.strictaffinity);
      if (opts.maxBlocksPerHost !== undefined) {
        if (!/^\d+$/.test(opts.maxBlocksPerHost)) throw new CliError(`invalid value for --max-blocks-per-host: ${JSON.stringify(opts.maxBlocksPerHost)} (a non-negative integer)`, EXIT_USAGE);
        patch.maxBlocksPerHost = Number(opts.maxBlocksPerHost);
      }
      if (!Object.keys(patch).length) throw new CliError('nothing to configure: give --strictaffinity and/or --max-blocks-per-host', EXIT_USAGE);
      await withDatastore(cmd, async ({ datastore }) => {
        try {
          const cfg = await createIpam(datastore).setConfig(patch);
          if (patch.strictAffinity !== undefined) out(`Successfully set StrictAffinity to: ${cfg.strictAffinity}\n`);
          if (patch.maxBlocksPerHost !== undefined) {
            out(`Successfully set MaxBlocksPerHost to: ${cfg.maxBlocksPerHost}${cfg.maxBlocksPerHost === 0 ? ` (effective ${effectiveMaxBlocks(cfg)})` : ''}\n`);
          }
        } catch (e) {
          if (e instanceof IpamError) throw new CliError(e.message, EXIT_USAGE);
          throw e;
        }
      });
    });
}
