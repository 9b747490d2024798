// The node agent's BGP part (startBgp: datastore → config.ts → secrets → speaker) as a process of its own, for
// tests inside a namespace:
//   node --import tsx test/bgp/bgp-agent-process.ts --resources r.json --node-name n --status-socket s.sock \
//     [--secrets-dir D] [--secrets-recheck-ms N]
// r.json is a list of resources put in an in-memory datastore. SIGINT stops it.
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createLogger } from '../../src/log.ts';
import { bgpStatusHandler, startBgp } from '../../src/bgp/node-integration.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import type { Resource } from '../../src/api/resource.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const resources = arg('--resources'), nodeName = arg('--node-name'), sockPath = arg('--status-socket');
if (!resources || !nodeName || !sockPath) {
  process.stderr.write('usage: bgp-agent-process.ts --resources r.json --node-name N --status-socket PATH [--secrets-dir D] [--secrets-recheck-ms N]\n');
  process.exit(2);
}
const ds = new MemoryDatastore();
for (const r of JSON.parse(readFileSync(resources, 'utf8')) as Resource[]) await ds.create(r);
const log = createLogger('bgp', { ...(arg('--log-file') ? { file: arg('--log-file')! } : {}) });
const bgp = await startBgp({
  ds, nodeName, log, onRoutes: () => undefined,
  timers: { connectRetryTime: 1, errorWaitTime: 1, initialRouteDeferral: 1, holdTime: 9 },
  ...(arg('--secrets-dir') ? { secretsDir: arg('--secrets-dir')! } : {}),
  ...(arg('--secrets-recheck-ms') ? { secretsRecheckMs: Number(arg('--secrets-recheck-ms')) } : {}),
});
rmSync(sockPath, { force: true });
const handler = bgpStatusHandler(() => bgp.status());
const server = http.createServer((req, res) => { if ((req.url ?? '').startsWith('/bgp/status')) handler(req, res); else res.writeHead(404).end(); });
server.listen(sockPath);
process.on('SIGINT', async () => {
  await bgp.stop({ graceful: false });
  server.close();
  rmSync(sockPath, { force: true });
  process.exit(0);
});
