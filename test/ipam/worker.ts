// One allocator process acting for one node, as the CNI plugin on that node would: used by the multi-process
// tests and bench/ipam.ts. Opens the datastore from the environment (DATASTORE_TYPE, TABBY_DATASTORE_PATH,
// ETCD_ENDPOINTS, TABBY_ETCD_KEY_PREFIX), prints `ready`, waits for a line on stdin, then runs and prints one
// JSON line with its result.
//   worker.ts allocate <node> <count> [--wep]   allocate <count> single addresses (and a WorkloadEndpoint each)
//   worker.ts release  <node> <count> [--wep]   release them again by handle (and delete the endpoints)
import { createInterface } from 'node:readline';
import { openDatastore, resolveDatastoreConfig } from '../../src/datastore/index.ts';
import { createIpam, ipamStats } from '../../src/ipam/index.ts';

const [mode, node, countText, flag] = process.argv.slice(2);
const count = Number(countText);
const withWep = flag === '--wep';
if ((mode !== 'allocate' && mode !== 'release') || !node || !Number.isInteger(count)) {
  process.stderr.write('usage: worker.ts allocate|release <node> <count> [--wep]\n');
  process.exit(2);
}

const ds = await openDatastore(resolveDatastoreConfig());
const ipam = createIpam(ds);
await ds.revision(); // connected
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();

const ips: string[] = [];
const started = performance.now();
let released = 0;
// Endpoint writes are independent of the allocator's, so they overlap with the next allocation.
const endpointWrites: Array<Promise<unknown>> = [];
for (let i = 0; i < count; i++) {
  const containerID = `${node}-c${i}`;
  const handleId = `k8s-pod-network.${containerID}`;
  const pod = `pod-${i}`;
  const wepName = `${node}-k8s-${pod}-eth0`;
  if (mode === 'allocate') {
    const r = await ipam.autoAssign({ handleId, node, num4: 1, attrs: { namespace: 'default', pod } });
    ips.push(r.ips[0]!);
    if (withWep) {
      endpointWrites.push(ds.create({
        apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: wepName, namespace: 'default' },
        spec: { orchestrator: 'k8s', node, pod, containerID, endpoint: 'eth0', interfaceName: `cali${i}`, ipNetworks: [r.ips[0]!.replace(/\/\d+$/, '/32')] },
      }));
    }
  } else {
    released += await ipam.releaseByHandle(handleId);
    if (withWep) endpointWrites.push(ds.delete('WorkloadEndpoint', wepName, 'default'));
  }
}
await Promise.all(endpointWrites);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ node, ips, released, ms, stats: ipamStats }) + '\n');
await ds.close();
process.exit(0);
