// Scenario 7: the malformed-input corpus. Every input must be refused with a clear message naming the problem
// and the right answer — the CLI's exit code (2 malformed input, 1 invalid resource), the CNI error code of the
// spec (1 version, 4 environment, 6 decoding, 7 network configuration), the BGP NOTIFICATION of RFC 4271 §6 /
// RFC 6608 (bench/chaos/bgp-probe.ts) — within a time bound, with the peak RSS of each process reported, and
// nothing written to the datastore.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatastore } from '../../src/datastore/index.ts';
import { NetnsFixture } from '../../test/helpers/netns.ts';
import { BENCH_DIR, ROOT } from '../harness.ts';
import type { Scenario, ScenarioContext } from './common.ts';

const TIME_BOUND_MS = 60_000; // one Node start on this shared machine can take seconds; a hang is far beyond
const RSS_BOUND_KIB = 512 * 1024;
const TABBY = join(ROOT, 'dist', 'tabby.mjs');
const CNI = join(ROOT, 'dist', 'tabby-cni.cjs');

interface Bounded { code: number; out: string; ms: number; rssKiB: number; timedOut: boolean }

/** Runs argv (optionally in a namespace) under GNU time for its peak RSS, killed past the time bound. */
function runBounded(argv: string[], input: string | Buffer, env: Record<string, string>, ns?: string): Promise<Bounded> {
  const timed = ['/usr/bin/time', '-f', 'MAXRSS_KIB=%M', ...argv];
  const full = ns ? ['ip', 'netns', 'exec', ns, ...timed] : timed;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(full[0]!, full.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIME_BOUND_MS);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rss = Number(/MAXRSS_KIB=(\d+)/.exec(out)?.[1] ?? NaN);
      out = out.replace(/Command exited with non-zero status \d+\n?/, '').replace(/MAXRSS_KIB=\d+\n?/, '').trim();
      resolve({ code: code ?? -1, out, ms: performance.now() - t0, rssKiB: rss, timedOut });
    });
  });
}

const doc = (kind: string, spec: string, name = 'x') => `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;
const laughs = ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

export const CLI_CASES: Array<{ name: string; input: string | Buffer; exit: number; message: RegExp }> = [
  { name: 'YAML that does not parse', input: 'kind: [unclosed', exit: 2, message: /error parsing stdin \(document 1\)/ },
  { name: 'truncated JSON', input: '{"apiVersion": "projectcalico.org/v3", "kind": "IPPool"', exit: 2, message: /error parsing stdin/ },
  { name: 'empty input', input: '', exit: 2, message: /no resources|empty|nothing/i },
  { name: 'binary garbage', input: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 97 + 13) % 256)), exit: 2, message: /a resource must be a YAML\/JSON object/ },
  { name: 'unknown kind', input: doc('Frobnicator', '  a: 1'), exit: 2, message: /resource type 'Frobnicator' is not supported/ },
  { name: 'wrong apiVersion', input: doc('IPPool', '  cidr: 10.0.0.0/16').replace('projectcalico.org/v3', 'crd.projectcalico.org/v1'), exit: 1, message: /field apiVersion = 'crd\.projectcalico\.org\/v1' \(must be projectcalico\.org\/v3\)/ },
  { name: 'IPPool CIDR /33', input: doc('IPPool', '  cidr: 10.0.0.0/33'), exit: 1, message: /spec\.cidr = '10\.0\.0\.0\/33'/ },
  { name: 'name with capitals and _', input: doc('IPPool', '  cidr: 10.1.0.0/16', 'Bad_Name'), exit: 1, message: /field metadata\.name = 'Bad_Name'/ },
  { name: 'NetworkPolicy selector that does not parse', input: doc('NetworkPolicy', "  selector: app == \n  ingress: []", 'p').replace('name: p', 'name: p\n  namespace: default'), exit: 1, message: /selector/ },
  { name: 'alias expansion bomb (billion laughs)', input: laughs, exit: 2, message: /alias/i },
  { name: 'nesting 100,000 deep', input: '['.repeat(100_000) + ']'.repeat(100_000), exit: 2, message: /error parsing stdin \(document 1\)/ },
  { name: '8 MB label value', input: doc('Profile', `  labelsToApply:\n    big: ${'x'.repeat(8 << 20)}`, 'big'), exit: 1, message: /a resource may be at most 1\.5 MiB/ },
];

const NETCONF = { cniVersion: '1.0.0', name: 'k8s-pod-network', type: 'calico', ipam: { type: 'calico-ipam' } };
const cniEnv = (over: Record<string, string> = {}) => ({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'chaos0000malformed', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', TABBY_CNI_IN_PROCESS: '1', ...over });

export const CNI_CASES: Array<{ name: string; env: Record<string, string>; stdin: string; code: number; message: RegExp }> = [
  { name: 'netconf not JSON', env: cniEnv(), stdin: 'notjson', code: 6, message: /failed to parse network configuration/ },
  { name: 'cniVersion 9.9.9', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, cniVersion: '9.9.9' }), code: 1, message: /unsupported CNI version 9\.9\.9/ },
  { name: 'no network name', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, name: undefined }), code: 7, message: /"name" is required/ },
  { name: 'no ipam', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, ipam: undefined }), code: 7, message: /ipam/ },
  { name: 'datastore_type zookeeper', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, datastore_type: 'zookeeper' }), code: 7, message: /datastore_type.*zookeeper/ },
  { name: 'mtu "abc"', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, mtu: 'abc' }), code: 7, message: /"mtu"/ },
  { name: 'unknown CNI_COMMAND', env: cniEnv({ CNI_COMMAND: 'FOO' }), stdin: JSON.stringify(NETCONF), code: 4, message: /unknown CNI_COMMAND: FOO/ },
  { name: 'ADD without CNI_CONTAINERID', env: cniEnv({ CNI_CONTAINERID: '' }), stdin: JSON.stringify(NETCONF), code: 4, message: /CNI_CONTAINERID/ },
  { name: 'ADD without CNI_IFNAME', env: cniEnv({ CNI_IFNAME: '' }), stdin: JSON.stringify(NETCONF), code: 4, message: /CNI_IFNAME/ },
  { name: 'CNI_IFNAME longer than 15', env: cniEnv({ CNI_IFNAME: 'a-very-long-interface-name' }), stdin: JSON.stringify(NETCONF), code: 4, message: /CNI_IFNAME|interface name/i },
  { name: '8 MB netconf, cniVersion 9.9.9', env: cniEnv(), stdin: JSON.stringify({ ...NETCONF, cniVersion: '9.9.9', pad: 'x'.repeat(8 << 20) }), code: 1, message: /unsupported CNI version 9\.9\.9/ },
  { name: 'JSON array nested 100,000 deep', env: cniEnv(), stdin: '['.repeat(100_000) + ']'.repeat(100_000), code: 7, message: /network configuration must be a JSON object/ },
  { name: 'JSON truncated mid-object', env: cniEnv(), stdin: JSON.stringify(NETCONF).slice(0, 30), code: 6, message: /failed to parse network configuration/ },
];

interface Row { part: string; name: string; ok: boolean; ms: number; rssKiB: number; got: string }

async function cliPart(ctx: ScenarioContext, rows: Row[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-chaos-malformed-'));
  ctx.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DATASTORE_TYPE: 'embedded', TABBY_DATASTORE_PATH: join(dir, 'datastore.db') };
  for (const c of CLI_CASES) {
    const r = await runBounded([process.execPath, TABBY, 'apply', '-f', '-'], c.input, env);
    const firstLine = r.out.split('\n')[0]!.slice(0, 160);
    const ok = !r.timedOut && r.code === c.exit && c.message.test(r.out) && r.rssKiB <= RSS_BOUND_KIB;
    rows.push({ part: 'cli', name: c.name, ok, ms: r.ms, rssKiB: r.rssKiB, got: `exit ${r.code}: ${firstLine}` });
  }
  const ds = await openDatastore({ type: 'embedded', path: env.TABBY_DATASTORE_PATH });
  try {
    let stored = 0;
    for (const kind of ['IPPool', 'Profile', 'NetworkPolicy']) stored += (await ds.list(kind)).items.length;
    ctx.check('the CLI wrote nothing from the corpus', stored === 0, `${stored} objects stored`);
  } finally { await ds.close(); }
}

async function cniPart(fx: NetnsFixture, ns: string, rows: Row[]): Promise<void> {
  for (const c of CNI_CASES) {
    const env: Record<string, string> = { ...c.env, CNI_NETNS: fx.path(ns) };
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
    const r = await runBounded([process.execPath, CNI], c.stdin, env, ns);
    let json: { code?: number; msg?: string } = {};
    try { json = JSON.parse(r.out.split('\n')[0]!); } catch { /* not the CNI error format */ }
    const ok = !r.timedOut && r.code === 1 && json.code === c.code && c.message.test(json.msg ?? '') && r.rssKiB <= RSS_BOUND_KIB;
    rows.push({ part: 'cni', name: c.name, ok, ms: r.ms, rssKiB: r.rssKiB, got: `exit ${r.code}, code ${json.code}: ${(json.msg ?? r.out).slice(0, 140)}` });
  }
}

async function bgpPart(ns: string, rows: Row[]): Promise<number> {
  const r = await runBounded([process.execPath, '--import', 'tsx', join(BENCH_DIR, 'chaos', 'bgp-probe.ts')], '', { NODE_PATH: ROOT }, ns);
  const doc = JSON.parse(r.out.split('\n').find((l) => l.startsWith('{')) ?? '{"results":[]}');
  for (const x of doc.results) rows.push({ part: 'bgp', name: x.name, ok: x.ok, ms: x.ms, rssKiB: doc.maxRssKiB, got: `expected ${x.expect}, got ${x.got}` });
  if (!doc.speakerAlive) rows.push({ part: 'bgp', name: 'speaker still running after the corpus', ok: false, ms: 0, rssKiB: NaN, got: 'the speaker lost its peer' });
  return doc.maxRssKiB;
}

export const malformed: Scenario = {
  name: 'malformed',
  title: 'malformed-input corpus: CLI YAML/JSON, CNI netconf/env, BGP messages',
  async run(ctx) {
    const fx = new NetnsFixture();
    ctx.onCleanup(() => fx.cleanupSync());
    const ns = fx.add('malformed');
    const rows: Row[] = [];
    await cliPart(ctx, rows);
    await cniPart(fx, ns, rows);
    await bgpPart(ns, rows);
    for (const r of rows) ctx.log(`${r.ok ? 'ok  ' : 'FAIL'} [${r.part}] ${r.name} — ${Math.round(r.ms)} ms, ${Math.round(r.rssKiB / 1024)} MiB — ${r.got}`);
    for (const part of ['cli', 'cni', 'bgp']) {
      const mine = rows.filter((r) => r.part === part);
      ctx.figure(`${part}: inputs refused correctly`, `${mine.filter((r) => r.ok).length} of ${mine.length}`);
      ctx.figure(`${part}: slowest answer, ms`, Math.round(Math.max(...mine.map((r) => r.ms))));
      ctx.figure(`${part}: peak RSS, MiB`, Math.round(Math.max(...mine.map((r) => r.rssKiB).filter(Number.isFinite)) / 1024));
    }
    const bad = rows.filter((r) => !r.ok);
    ctx.check(`every one of ${rows.length} inputs refused with the right code and a clear message, within ${TIME_BOUND_MS / 1000} s and ${RSS_BOUND_KIB / 1024} MiB`,
      bad.length === 0, bad.map((r) => `[${r.part}] ${r.name}: ${r.got}`).join('; '));
  },
};
