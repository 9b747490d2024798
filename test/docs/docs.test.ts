// Every command in the README, the getting-started page and the how-to pages is run here, in a lab, so the
// docs cannot drift from behaviour (issue #20 item 9). The snippet rule is in snippets.ts and docs/README.md.
// - Lab sections run in one bash per page on this machine, with TABBY_LAB set to a fresh lab name, so a doc's
//   `tabby lab up` (no --name) builds this run's own lab; `tabby lab down` runs after the page, also on failure.
// - Real-host sections (```sh host=NAME) run in a network namespace per host, standing in for the machine:
//   hosts are joined by one veth on 10.0.0.0/24 (host1 10.0.0.11, host2 10.0.0.12, default via 10.0.0.1), and
//   each has its own mount and UTS namespace (hostname NAME; tmpfs over /etc/cni, /opt/cni, /etc/tabby,
//   /var/lib/tabby, /var/lib/etcd and /var/log), so what the page installs stays inside the stand-in host.
//   It is not two machines: one kernel, no real NICs. It does run every command of the section as written.
// - The README's first two commands (setup+demo, setup+tests) are the CI itself: they are not re-run; the test
//   checks what they consist of instead (CI_ENTRIES).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractSnippets, missingExpectedLine, parseInfo, type Snippet } from './snippets.ts';
import { DocShell } from './shell.ts';
import { NetnsFixture, netnsSkipReason } from '../helpers/netns.ts';
import { ROOT, TABBY } from '../lab/helpers.ts';
import { DEMO_STEP_COUNT } from '../../src/lab/demo.ts';

/** The pages whose every command runs. */
const RUN_PAGES = ['README.md', 'docs/getting-started.md', ...readdirSync(join(ROOT, 'docs', 'how-to')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/how-to/${f}`)];

/** Blocks shown but not run, by page, with the reason the page gives; anything else marked skip fails. */
const SKIP_ALLOWED: Record<string, string[]> = {
  // Not re-run per page: it changes the machine (packages, /usr/local/bin/tabby), and the test run began with it.
  'docs/getting-started.md': ['setup: installs packages and links tabby into /usr/local/bin; scripts/test.sh runs it before the tests'],
};

/** The README's CI entry points: what each consists of, checked instead of re-running it. */
const CI_ENTRIES: Record<string, () => void> = {
  'bash scripts/demo.sh': () => {
    const demo = readFileSync(join(ROOT, 'scripts/demo.sh'), 'utf8');
    assert.match(demo, /^bash scripts\/setup\.sh$/m, 'demo.sh runs setup first');
    assert.match(demo, /^exec \.\/bin\/tabby lab demo "\$@"$/m, 'then the demo itself');
    assert.equal(spawnSync('bash', ['-n', join(ROOT, 'scripts/demo.sh')]).status, 0);
    assert.equal(spawnSync(TABBY, ['lab', 'demo', '--help'], { encoding: 'utf8' }).status, 0);
  },
  'bash scripts/test.sh': () => {
    assert.match(readFileSync(join(ROOT, '.ci/run'), 'utf8'), /^exec bash scripts\/test\.sh$/m, 'CI runs exactly this command');
    const t = readFileSync(join(ROOT, 'scripts/test.sh'), 'utf8');
    assert.match(t, /^bash scripts\/setup\.sh$/m);
    assert.match(t, /find test src -name '\*\.test\.ts'/, 'it runs every test file, this one included');
    assert.equal(spawnSync('bash', ['-n', join(ROOT, 'scripts/test.sh')]).status, 0);
  },
};

const page = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('doc snippets: the rule', () => {
  test('fences: sh runs, attributes parse, an expected block attaches only when it follows directly', () => {
    assert.deepEqual(parseInfo('sh host=host1 skip="needs a ToR"'), { lang: 'sh', attrs: { host: 'host1', skip: 'needs a ToR' } });
    const md = '# x\n```sh\ntabby version\n```\n\n```text expected\nClient Version: …\n```\n```yaml\na: 1\n```\n```sh\nls\n```\ntext\n```text expected\nno\n```\n';
    const s = extractSnippets(md, 'x.md');
    assert.equal(s.length, 2);
    assert.equal(s[0]!.expected, 'Client Version: …');
    assert.equal(s[1]!.expected, undefined, 'prose between: not this block\'s output');
    assert.throws(() => extractSnippets('```\ntabby get nodes\n```\n', 'y.md'), /a command in a `plain` fence/);
  });
  test('expected output: lines in order, blanks collapsed, … for anything', () => {
    const out = 'NAME      CIDR\npool-a    10.0.0.0/16\nSuccessfully applied 1 \'IPPool\' resource(s)\n';
    assert.equal(missingExpectedLine('NAME CIDR\npool-a …/16', out), undefined);
    assert.equal(missingExpectedLine('pool-a …/16\nNAME CIDR', out), 'NAME CIDR', 'order matters');
    assert.equal(missingExpectedLine('pool-b', out), 'pool-b');
  });
});

describe('doc snippets: what the pages contain', () => {
  test('the user pages are listed first in docs/README.md, and every runnable page is run here', () => {
    const index = page('docs/README.md');
    const users = index.slice(0, index.indexOf('## For implementers'));
    for (const p of RUN_PAGES.filter((x) => x.startsWith('docs/'))) assert.ok(users.includes(`(${p.slice('docs/'.length)})`), `${p} listed for users`);
    assert.ok(users.includes('(troubleshooting.md)'));
  });
  test('the README\'s two CI entry points are marked, and are what they say', () => {
    const ci = extractSnippets(page('README.md'), 'README.md').filter((s) => 'ci' in s.attrs);
    assert.deepEqual(ci.map((s) => s.body.trim()), Object.keys(CI_ENTRIES));
    for (const s of ci) CI_ENTRIES[s.body.trim()]!();
  });
  test('no page names its lab or skips a block without an allowed reason', () => {
    for (const p of RUN_PAGES) {
      for (const s of extractSnippets(page(p), p)) {
        assert.doesNotMatch(s.body, /tabby lab\b[^\n]*--name\b/, `${p}:${s.line}: the test gives each run its own lab through TABBY_LAB`);
        if ('skip' in s.attrs) assert.ok((SKIP_ALLOWED[p] ?? []).includes(s.attrs.skip!), `${p}:${s.line}: skip "${s.attrs.skip}" is not an allowed reason`);
        if ('ci' in s.attrs) assert.equal(p, 'README.md', 'only the README has CI entry points');
      }
    }
  });
  test('docs/lab.md lists as many demo steps as the demo prints; the datastore is named etcdv3', () => {
    const lab = page('docs/lab.md');
    const section = lab.slice(lab.indexOf('## The demo'), lab.indexOf('\n## ', lab.indexOf('## The demo') + 5));
    const items = section.split('\n').filter((l) => /^\d+\. /.test(l)).map((l) => Number(/^(\d+)\./.exec(l)![1]));
    assert.deepEqual(items, Array.from({ length: DEMO_STEP_COUNT }, (_, i) => i + 1));
    assert.doesNotMatch(lab, /--datastore embedded\\\|etcd\]/);
    assert.match(lab, /--datastore embedded\\\|etcdv3/);
  });
  test('the article is named and linked wherever it is cited', () => {
    for (const p of ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
      const text = page(p);
      if (!/the article/i.test(text)) continue;
      assert.match(text, /\[Life of a Packet in Kubernetes — Part 2\]\(https:\/\/dramasamy\.medium\.com\/life-of-a-packet-in-kubernetes-part-2-a07f5bf0ff14\)/, `${p} cites the article: name and link it`);
    }
  });
});

const skip = netnsSkipReason();

/** Stand-in hosts for a page's real-host section: namespaces on one veth, each shell in its own mount/UTS ns. */
/** Mount points this run had to create on the machine (empty directories), removed again after the page. */
const createdMountPoints: string[] = [];

async function startHosts(hosts: string[], fx: NetnsFixture, work: string, env: NodeJS.ProcessEnv): Promise<Map<string, DocShell>> {
  const shells = new Map<string, DocShell>();
  if (hosts.length === 0) return shells;
  assert.ok(hosts.length <= 2, 'the stand-in LAN has room for two hosts');
  const ns = hosts.map((h) => fx.add(h));
  if (ns.length === 2) fx.link(ns[0]!, 'eth0', ns[1]!, 'eth0');
  for (const dir of ['/etc/cni', '/opt/cni', '/etc/tabby', '/var/lib/tabby', '/var/lib/etcd']) {
    if (!existsSync(dir)) { mkdirSync(dir); createdMountPoints.push(dir); }
  }
  for (const [i, h] of hosts.entries()) {
    fx.exec(ns[i]!, ['ip', 'addr', 'add', `10.0.0.${11 + i}/24`, 'dev', 'eth0']);
    fx.exec(ns[i]!, ['ip', 'route', 'add', 'default', 'via', '10.0.0.1']);
    const sh = new DocShell(h, ['ip', 'netns', 'exec', ns[i]!, 'unshare', '--mount', '--uts', '--propagation', 'private', 'bash', '--noprofile', '--norc'], work, env);
    const setup = await sh.run([`hostname ${h}`, ...['/etc/cni', '/opt/cni', '/etc/tabby', '/var/lib/tabby', '/var/lib/etcd', '/var/log'].map((d) => `mount -t tmpfs tabby-docs ${d}`)].join('\n'));
    assert.ok(setup.ok, `setting up stand-in host ${h}: ${setup.why} ${setup.output}`);
    shells.set(h, sh);
  }
  return shells;
}

function failure(s: Snippet, why: string, output: string): string {
  return `${s.page}:${s.line}: ${why}\n--- block ---\n${s.body}\n--- output ---\n${output.trimEnd().split('\n').slice(-40).join('\n')}`;
}

async function runPage(p: string): Promise<void> {
  const snippets = extractSnippets(page(p), p).filter((s) => !('skip' in s.attrs) && !('ci' in s.attrs));
  const lab = `doc${randomBytes(3).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'tabby-docs-'));
  const env = { PATH: `${join(ROOT, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: work, TMPDIR: work, TABBY_LAB: lab, TERM: 'dumb', LANG: 'C.UTF-8' };
  const fx = new NetnsFixture();
  const local = new DocShell('local', ['bash', '--noprofile', '--norc'], work, env);
  let hosts = new Map<string, DocShell>();
  try {
    hosts = await startHosts([...new Set(snippets.map((s) => s.attrs.host).filter((h): h is string => !!h))], fx, work, env);
    for (const s of snippets) {
      const r = await (s.attrs.host ? hosts.get(s.attrs.host)! : local).run(s.body);
      if (!r.ok) assert.fail(failure(s, r.why ?? 'failed', r.output));
      const missing = s.expected === undefined ? undefined : missingExpectedLine(s.expected, r.output);
      if (missing !== undefined) assert.fail(failure(s, `expected output line not found: "${missing}"`, r.output));
    }
  } finally {
    spawnSync(TABBY, ['lab', 'down', '--name', lab], { encoding: 'utf8', timeout: 120_000 });
    for (const sh of [local, ...hosts.values()]) sh.kill();
    await new Promise((r) => setTimeout(r, 2500)); // let the process groups go before their namespaces do
    fx.cleanupSync();
    rmSync(work, { recursive: true, force: true });
    // Only the empty directories we made; the stand-in hosts' files lived in their own tmpfs.
    for (const d of createdMountPoints.splice(0)) { try { rmdirSync(d); } catch { /* not empty or gone: leave it */ } }
  }
}

describe('doc snippets: run in a lab', { skip }, () => {
  for (const p of RUN_PAGES) test(p, { timeout: 900_000 }, () => runPage(p));
});
