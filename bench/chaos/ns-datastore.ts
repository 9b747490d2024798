// Runs inside a scenario's host namespace (where its etcd listens) and prints datastore facts as one JSON line:
//   ns-datastore.ts <etcd endpoint> <key prefix> init|pool <cidr>    create the (default | another) IP pool (blockSize 26, no encap)
//   ns-datastore.ts <etcd endpoint> <key prefix> leaks              what IPAM and the endpoints still hold
import { openDatastore } from '../../src/datastore/index.ts';
import { API_VERSION } from '../../src/api/resource.ts';
import { checkIpam, loadSnapshot } from '../../src/ipam/index.ts';

const [endpoint, prefix, cmd, arg] = process.argv.slice(2);
if (!endpoint || !prefix || !cmd) {
  process.stderr.write('usage: ns-datastore.ts <etcd endpoint> <key prefix> init <pool cidr> | leaks\n');
  process.exit(2);
}
const ds = await openDatastore({ type: 'etcdv3', etcdEndpoints: [endpoint], etcdKeyPrefix: prefix });
try {
  if (cmd === 'init' || cmd === 'pool') {
    await ds.create({
      apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: cmd === 'init' ? 'default-ipv4-ippool' : `pool-${arg!.replace(/[./]/g, '-')}` },
      spec: { cidr: arg, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()' },
    });
    console.log('{}');
  } else if (cmd === 'leaks') {
    const snap = await loadSnapshot(ds);
    const report = checkIpam(snap);
    const endpoints = (await ds.list('WorkloadEndpoint')).items.map((w) => w.metadata.name);
    console.log(JSON.stringify({
      allocations: snap.blocks.reduce((n, b) => n + b.allocations.filter((a) => a !== null).length, 0),
      allocatedNotInUse: report.allocatedNotInUse.length,
      inUseNotAllocated: report.inUseNotAllocated.length,
      orphanedHandles: report.orphanedHandles.length,
      handles: snap.handles.length,
      // The node's own tunnel/affinity bookkeeping is not a leak; the check's problem count minus empty affine
      // blocks of a live node (which Calico keeps too) is.
      problems: report.allocatedNotInUse.length + report.inUseNotAllocated.length + report.orphanedHandles.length
        + report.handleCountMismatches.length + report.missingHandles.length + report.invalidBlocks.length,
      endpoints,
      // What is left, named: the leaked addresses with their handles, and handles with no address / no handle.
      detail: [
        ...report.allocatedNotInUse.map((a) => `${a.ip} allocated to ${a.handle ?? 'no handle'} (not in use)`),
        ...report.orphanedHandles.map((h) => `handle ${h} holds no address`),
        ...report.missingHandles.map((h) => `allocations name handle ${h}, which does not exist`),
        ...report.handleCountMismatches.map((m) => `handle ${m.handle} counts ${m.handleCount} in ${m.block}, the block ${m.blockCount}`),
      ],
    }));
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
} finally { await ds.close(); }
