// The chaos suite's runner logic without its root cost: the leak counters on real tool output, verdicts from
// checks, the closing "N passed, N failed" line and exit status, the result file's shape, the route-gap
// reading of `ip -ts monitor route`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { routeGaps } from '../../bench/chaos/bgp-flaps.ts';
import { logTime } from '../../bench/chaos/lab-faults.ts';
import { chaosResults, rng, ScenarioRecorder, SkipScenario, summaryLine, writeChaosResults } from '../../bench/chaos/common.ts';
import {
  countCaliLinks, countPodRoutes, describeLeaks, nftElementsBeyond, nftSetElements, parsePing, totalLeaks,
} from '../../bench/chaos/leaks.ts';

const IP_O_LINK = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: uplink@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 8a:1c:4f:00:12:34 brd ff:ff:ff:ff:ff:ff link-netns tb12ab-up
7: cali3f2a1b0c9d8@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1440 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns tb12ab-p1
9: calico-extra: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 2e:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff`;

const IP_ROUTE = `default via 192.0.2.1 dev uplink
10.244.12.65 dev cali3f2a1b0c9d8 scope link
blackhole 10.244.12.64/26 proto 80
192.0.2.0/24 dev uplink proto kernel scope link src 192.0.2.2
10.2.0.0/16 via 192.0.2.1 dev uplink`;

test('leak counters read ip and nft output: cali veths, pool and cali routes, nft elements beyond a baseline', () => {
  assert.equal(countCaliLinks(IP_O_LINK), 1, 'only cali<hex> veths, not calico-extra or the uplink');
  assert.equal(countCaliLinks(''), 0);
  assert.equal(countPodRoutes(IP_ROUTE, '10.244.'), 1, 'the /32 to the pod; the blackhole is the node block, not a pod');
  const base = nftSetElements(JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } },
    { set: { family: 'inet', table: 'tabby', name: 'all-pools', type: 'ipv4_addr', elem: ['10.244.0.0/16'] } }] }));
  const now = nftSetElements(JSON.stringify({ nftables: [
    { set: { family: 'inet', table: 'tabby', name: 'all-pools', type: 'ipv4_addr', elem: ['10.244.0.0/16'] } },
    { set: { family: 'inet', table: 'tabby', name: 'wep-ips', type: 'ipv4_addr', elem: ['10.244.12.65', '10.244.12.66'] } },
    { set: { family: 'inet', table: 'tabby', name: 'empty', type: 'ipv4_addr' } }] }));
  assert.equal(nftElementsBeyond(base, base), 0);
  assert.equal(nftElementsBeyond(base, now), 2);
  assert.equal(nftSetElements('').size, 0);
  const leaks = { addresses: 0, ipamCheckProblems: 0, handles: 0, links: 1, routes: 1, endpoints: 0, nftElements: 2, podInterfaces: 0 };
  assert.equal(totalLeaks(leaks), 4);
  assert.equal(describeLeaks(leaks), 'addresses 0, ipamCheckProblems 0, handles 0, links 1, routes 1, endpoints 0, nftElements 2, podInterfaces 0');
});

test('ping summaries: loss counted from iputils output; no summary is null, not zero loss', () => {
  assert.deepEqual(parsePing('--- 10.244.1.2 ping statistics ---\n4000 packets transmitted, 3998 received, 0.05% packet loss, time 40012ms\n'),
    { transmitted: 4000, received: 3998, lost: 2, lossPercent: 0.05 });
  assert.equal(parsePing('4000 packets transmitted, 4000 received, 0% packet loss')!.lost, 0);
  assert.equal(parsePing('connect: Network is unreachable'), null);
});

test('a scenario passes only with checks that all held; skipped is not passed; an error or no check fails', () => {
  const silent = () => undefined;
  const s = { name: 's', title: 'S' };
  const ok = new ScenarioRecorder(true, [], silent);
  ok.check('a', true); ok.figure('x', 1.23456);
  assert.deepEqual({ ...ok.result(s, 1.04), seconds: 1 }, { name: 's', title: 'S', verdict: 'passed', reason: 'held: a', seconds: 1, figures: { x: 1.23456 }, notes: [] });
  const bad = new ScenarioRecorder(true, [], silent);
  bad.check('a', true); bad.check('nothing leaked', false, 'links 1');
  assert.equal(bad.result(s, 1).verdict, 'failed');
  assert.equal(bad.result(s, 1).reason, 'nothing leaked (links 1)');
  assert.equal(new ScenarioRecorder(true, [], silent).result(s, 1).verdict, 'failed', 'no checks recorded is a failure');
  assert.equal(new ScenarioRecorder(true, [], silent).result(s, 1, new Error('lab up failed')).reason, 'error: lab up failed');
  const skipped = new ScenarioRecorder(true, [], silent).result(s, 0, new SkipScenario('not merged'));
  assert.deepEqual([skipped.verdict, skipped.reason], ['skipped', 'not merged']);

  const results = [ok.result(s, 1), bad.result({ name: 't', title: 'T' }, 2), skipped];
  assert.deepEqual(summaryLine(results), { line: '1 passed, 1 failed (1 skipped)', exitCode: 1 });
  assert.deepEqual(summaryLine([ok.result(s, 1)]), { line: '1 passed, 0 failed', exitCode: 0 });
});

test('clean-ups run last-registered first, also after a failure, and errors in one do not stop the others', async () => {
  const order: string[] = [];
  const r = new ScenarioRecorder(true, [], () => undefined);
  r.onCleanup(() => { order.push('netns'); });
  r.onCleanup(() => { throw new Error('boom'); });
  r.onCleanup(async () => { order.push('agent'); });
  await r.cleanup();
  assert.deepEqual(order, ['agent', 'netns']);
  await r.cleanup();
  assert.deepEqual(order, ['agent', 'netns'], 'each runs once');
});

test('bench/results/chaos.json: suite, mode, commit, machine, per-scenario figures and the counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabby-chaos-test-'));
  try {
    const rec = new ScenarioRecorder(false, [], () => undefined);
    rec.check('lost 0', true); rec.figure('acknowledged writes lost', 0);
    const file = writeChaosResults(chaosResults(false, [rec.result({ name: 'writers', title: 'W' }, 3)], [1, 2, 3]), dir);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(file, join(dir, 'chaos.json'));
    assert.deepEqual(Object.keys(doc), ['suite', 'mode', 'commit', 'date', 'machine', 'scenarios', 'passed', 'failed', 'skipped']);
    assert.deepEqual([doc.suite, doc.mode, doc.passed, doc.failed, doc.skipped], ['chaos', 'full', 1, 0, 0]);
    assert.deepEqual(Object.keys(doc.machine), ['cores', 'memGiB', 'kernel', 'loadavgStart', 'loadavg']);
    assert.deepEqual(doc.machine.loadavgStart, [1, 2, 3]);
    assert.deepEqual(doc.scenarios[0].figures, { 'acknowledged writes lost': 0 });
    assert.match(doc.commit, /^([0-9a-f]{12}(\+dirty)?|unknown)$/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('route gaps from `ip -ts monitor route`: deletion → next addition; a route never re-added is an infinite gap', () => {
  const mon = [
    '[2026-12-06T21:50:01.100000] 10.98.0.0/24 via 10.0.0.1 dev eth0 proto bird',
    '[2026-12-06T21:50:02.000000] Deleted 10.98.0.0/24 via 10.0.0.1 dev eth0 proto bird',
    '[2026-12-06T21:50:02.250000] 10.98.0.0/24 via 10.0.0.1 dev eth0 proto bird',
    '[2026-12-06T21:50:03.000000] Deleted 10.97.0.0/24 via 10.0.0.1 dev eth0 proto bird',
  ].join('\n');
  assert.deepEqual(routeGaps(mon, '10.98.0.0/24'), { deletions: 1, gapsMs: [250] });
  assert.deepEqual(routeGaps(mon + '\n[2026-12-06T21:50:04.000000] Deleted 10.98.0.0/24 via 10.0.0.1 dev eth0 proto bird', '10.98.0.0/24'),
    { deletions: 2, gapsMs: [250, Infinity] });
  assert.deepEqual(routeGaps('', '10.98.0.0/24'), { deletions: 0, gapsMs: [] });
});

test('the fault schedule is reproducible from its seed', () => {
  const a = rng(42), b = rng(42);
  const xs = Array.from({ length: 20 }, () => a.int(1000));
  assert.deepEqual(xs, Array.from({ length: 20 }, () => b.int(1000)));
  assert.ok(new Set(xs).size > 10);
});

test('agent log times are read in the one log format (ISO 8601), as numbers too', () => {
  // etcd-outage compared ISO strings with a number: every "reconnected" check failed although agents logged it.
  assert.equal(logTime({ time: '2026-12-07T04:27:40.123Z' }), Date.UTC(2026, 11, 7, 4, 27, 40, 123));
  assert.equal(logTime({ time: 1_765_000_000_000 }), 1_765_000_000_000);
  assert.ok(Number.isNaN(logTime({})));
  assert.ok(logTime({ time: '2026-12-07T04:27:40.123Z' }) >= Date.UTC(2026, 11, 7, 4, 27, 40));
});
