// Scenario 5: BGP session flaps with graceful restart (RFC 4724), our speaker on both sides. Node A
// (bench/chaos/bgp-flapper.ts) originates 10.98.0.0/24 and restarts its speaker `flaps` times; node B runs the
// speaker as the agent does, installing what it learns as `proto bird` routes. A ping flood from B to
// 10.98.0.1 (on A) uses that route the whole time. Promised: B keeps the route through every flap (no
// deletion seen by `ip monitor`), the flood loses nothing, and afterwards exactly one session and one route.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST, OurSpeaker, peer, removeDir, tempDir, waitFor } from '../../test/bgp/harness.ts';
import { NetnsFixture } from '../../test/helpers/netns.ts';
import { BENCH_DIR, numberFlag } from '../harness.ts';
import type { Scenario, ScenarioContext } from './common.ts';
import { parsePing } from './leaks.ts';

const PREFIX = '10.98.0.0/24';

/** Gaps (ms) between each deletion of `prefix` in `ip -ts monitor route` output and its next addition. */
export function routeGaps(monitor: string, prefix: string): { deletions: number; gapsMs: number[] } {
  const lines = monitor.split('\n').filter((l) => l.includes(prefix));
  const at = (l: string) => Date.parse(/^\[([^\]]+)\]/.exec(l)?.[1] ?? '');
  let deletions = 0;
  let deletedAt: number | undefined;
  const gapsMs: number[] = [];
  for (const l of lines) {
    if (/\] Deleted /.test(l)) { deletions++; deletedAt = at(l); continue; }
    if (deletedAt !== undefined) { gapsMs.push(at(l) - deletedAt); deletedAt = undefined; }
  }
  if (deletedAt !== undefined) gapsMs.push(Infinity);
  return { deletions, gapsMs };
}

function lines(child: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
  });
}

export const bgpFlaps: Scenario = {
  name: 'bgp-flaps',
  title: 'BGP session flaps with graceful restart: routes held, loss 0',
  async run(ctx: ScenarioContext) {
    const flaps = numberFlag(ctx.args, 'flaps', ctx.quick ? 100 : 1000);
    const fx = new NetnsFixture();
    const dir = tempDir('chaos');
    ctx.onCleanup(() => { fx.cleanupSync(); removeDir(dir); });
    const a = fx.add('bgp-a'), b = fx.add('bgp-b');
    fx.link(a, 'eth0', b, 'eth0');
    fx.exec(a, ['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0']);
    fx.exec(b, ['ip', 'addr', 'add', '10.0.0.2/24', 'dev', 'eth0']);
    fx.exec(a, ['ip', 'addr', 'add', '10.98.0.1/32', 'dev', 'lo']);

    const speakerB = new OurSpeaker(fx, b, dir, 'node-b', {
      routerId: '10.0.0.2', asNumber: 64512, listenPort: 179, exports: ['10.97.0.0/24'], ...FAST, initialRouteDeferral: 0,
      peers: [peer('10.0.0.1', 64512)],
    }, ['--install-routes']);
    await speakerB.start();
    const monitor = fx.spawn(b, ['ip', '-ts', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let monitorOut = '';
    monitor.stdout!.on('data', (d) => { monitorOut += d; });

    const cfgFile = join(dir, 'node-a.json');
    writeFileSync(cfgFile, JSON.stringify({ routerId: '10.0.0.1', asNumber: 64512, listenPort: 179, exports: [PREFIX], ...FAST, initialRouteDeferral: 0,
      peers: [peer('10.0.0.2', 64512)] }));
    const flapper = fx.spawn(a, [process.execPath, '--import', 'tsx', join(BENCH_DIR, 'chaos', 'bgp-flapper.ts'), cfgFile, String(flaps), '200', ctx.args.includes('--cease') ? 'cease' : 'graceful', String(numberFlag(ctx.args, 'max-down-ms', 300))],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(BENCH_DIR, '..') });
    const establishMs: number[] = [];
    let ready = false, done = false, error = '';
    lines(flapper, (l) => {
      try {
        const j = JSON.parse(l);
        if (j.ready) ready = true;
        if (j.downAndEstablishMs !== undefined) { establishMs.push(j.downAndEstablishMs); if (j.flap % Math.max(10, flaps / 10) === 0) ctx.log(`${j.flap}/${flaps} flaps`); }
        if (j.error) error = j.error;
        if (j.done) done = true;
      } catch { /* not ours */ }
    });
    const flapperExit = new Promise<void>((r) => flapper.on('exit', () => r()));
    await waitFor('node A Established', () => ready || flapper.exitCode !== null, 120_000);
    if (!ready) throw new Error('the flapping speaker never established its first session');
    await waitFor(`${PREFIX} installed on node B`, () => / proto bird/.test(fx.run(b, ['ip', 'route', 'show', PREFIX]).stdout), 30_000);

    const ping = fx.spawn(b, ['ping', '-n', '-q', '-i', '0.01', '-W', '1', '10.98.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pingOut = '';
    ping.stdout!.on('data', (d) => { pingOut += d; });
    const pingDone = new Promise<void>((r) => ping.on('close', () => r()));
    const t0 = performance.now();
    await Promise.race([waitFor('all flaps', () => done || error !== '', 7_200_000, 200), flapperExit]);
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    ping.kill('SIGINT');
    await pingDone;
    const summary = parsePing(pingOut);

    const status = await speakerB.status();
    const sessions = fx.run(b, ['ss', '-Htn', 'state', 'established', '( sport = :179 or dport = :179 )']).stdout.split('\n').filter(Boolean).length;
    const birdRoutes = fx.run(b, ['ip', 'route', 'show', 'proto', 'bird']).stdout.split('\n').filter(Boolean);
    const gaps = routeGaps(monitorOut, PREFIX);
    const sorted = [...establishMs].sort((x, y) => x - y);
    ctx.figure('flaps', establishMs.length);
    ctx.figure('flaps per second', Math.round((establishMs.length / seconds) * 100) / 100);
    ctx.figure('stop → down (random 0..max) → Established, ms p50', sorted[Math.floor(sorted.length / 2)] ?? null);
    ctx.figure('stop → down → Established, ms max', sorted[sorted.length - 1] ?? null);
    ctx.figure(`${PREFIX} deletions on node B`, gaps.deletions);
    ctx.figure('max route-hold gap, ms', gaps.gapsMs.length ? Math.max(...gaps.gapsMs) : 0);
    ctx.figure('ping requests sent', summary?.transmitted ?? null);
    ctx.figure('ping replies lost', summary?.lost ?? null);
    ctx.figure('node B: established BGP connections after', sessions);
    ctx.figure('node B: proto bird routes after', birdRoutes.length);
    ctx.check(`${flaps} flaps done`, establishMs.length === flaps && !error, error || `${establishMs.length} of ${flaps}`);
    ctx.check('the route was held through every flap (never deleted)', gaps.deletions === 0, `${gaps.deletions} deletions, gaps ${gaps.gapsMs.slice(0, 5).join(', ')} ms`);
    ctx.check('the flow over the route lost nothing', summary !== null && summary.transmitted > 0 && summary.lost === 0,
      summary ? `${summary.lost} of ${summary.transmitted} lost` : 'no ping summary');
    ctx.check('no leaked session: one peer, Established, one connection', status.peers.length === 1 && status.peers[0]!.state === 'Established' && sessions === 1,
      `${status.peers.length} peers (${status.peers.map((p) => p.state).join(', ')}), ${sessions} connections`);
    ctx.check('no leaked route: exactly the one learned route installed', birdRoutes.length === 1 && birdRoutes[0]!.startsWith(PREFIX), birdRoutes.join(' | '));
  },
};
