// The speaker as a process of its own, for interop tests and benchmarks (inside a test namespace):
//   node --import tsx test/bgp/speaker-process.ts --config speaker.json [--status-socket /path.sock] [--install-routes]
// speaker.json is a SpeakerConfig. SIGHUP re-reads it and applies the difference (unchanged sessions keep
// running); SIGTERM stops gracefully (no NOTIFICATION, so peers keep our routes for our restart time);
// SIGINT stops with Cease. Learned route sets are printed as JSON lines on stdout. With --install-routes
// the learned routes are programmed into this namespace's main table as `proto bird`, the way the agent's
// route reconciler does in `tabby node run`.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { promisify } from 'node:util';
import { createLogger } from '../../src/log.ts';
import { bgpStatusHandler } from '../../src/bgp/node-integration.ts';
import { BgpSpeaker, type LearnedRoute, type SpeakerConfig } from '../../src/bgp/speaker.ts';

const run = promisify(execFile);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const configPath = arg('--config');
if (!configPath) {
  process.stderr.write('usage: speaker-process.ts --config speaker.json [--status-socket PATH] [--install-routes] [--log-file PATH]\n');
  process.exit(2);
}
const readConfig = (): SpeakerConfig => JSON.parse(readFileSync(configPath, 'utf8')) as SpeakerConfig;
const log = createLogger('bgp', { ...(arg('--log-file') ? { file: arg('--log-file')! } : {}) });
const install = process.argv.includes('--install-routes');
const installed = new Map<string, string>();
let installing: Promise<void> = Promise.resolve();

async function program(routes: LearnedRoute[]): Promise<void> {
  const want = new Map(routes.filter((r) => !r.prefix.includes(':')).map((r) => [r.prefix, r.nextHop]));
  for (const [prefix, nh] of want) {
    if (installed.get(prefix) === nh) continue;
    try {
      await run('ip', ['route', 'replace', prefix, 'via', nh, 'proto', 'bird']);
      installed.set(prefix, nh);
    } catch (e) { log.warn({ prefix, nh, err: String(e) }, 'route install failed'); }
  }
  for (const prefix of [...installed.keys()]) {
    if (want.has(prefix)) continue;
    await run('ip', ['route', 'del', prefix, 'proto', 'bird']).catch(() => undefined);
    installed.delete(prefix);
  }
}

const speaker = new BgpSpeaker(readConfig(), {
  log,
  onRoutes: (routes) => {
    const list = routes.size <= 1000 || install ? routes.toArray() : undefined;
    process.stdout.write(JSON.stringify({ event: 'routes', count: routes.size, routes: routes.size <= 1000 ? list : undefined }) + '\n');
    if (install) installing = installing.then(() => program(list!));
  },
});
await speaker.start();
process.stdout.write(JSON.stringify({ event: 'started', port: speaker.listenPort }) + '\n');

const sockPath = arg('--status-socket');
let server: http.Server | undefined;
if (sockPath) {
  rmSync(sockPath, { force: true });
  const handler = bgpStatusHandler(() => speaker.status());
  server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/bgp/status')) handler(req, res);
    else if (req.url === '/bgp/memory') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...process.memoryUsage(), locRib: speaker.rib.loc.size }));
    else if (req.url === '/bgp/gc' && typeof global.gc === 'function') { global.gc(); res.end('ok'); }
    else res.writeHead(404).end();
  });
  server.listen(sockPath);
}

process.on('SIGHUP', () => {
  try { speaker.reconfigure(readConfig()); log.info('configuration reloaded'); } catch (e) { log.error({ err: e }, 'reload failed'); }
});
const shutdown = (graceful: boolean) => async () => {
  await speaker.stop({ graceful });
  server?.close();
  if (sockPath) rmSync(sockPath, { force: true });
  process.exit(0);
};
process.on('SIGTERM', shutdown(true));
process.on('SIGINT', shutdown(false));
