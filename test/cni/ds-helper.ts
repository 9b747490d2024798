// Runs inside a test's host namespace (where the plugin's etcd lives): prints datastore facts as JSON.
//   ds-helper.ts <etcd endpoint> <key prefix> init <pool cidr>   create the IP pool
//   ds-helper.ts <etcd endpoint> <key prefix> state              {"handles": [...], "weps": [...]}
import { openDatastore } from '../../src/datastore/index.ts';
import { API_VERSION } from '../../src/api/resource.ts';

const [endpoint, prefix, cmd, arg] = process.argv.slice(2);
const ds = await openDatastore({ type: 'etcdv3', etcdEndpoints: [endpoint!], etcdKeyPrefix: prefix });
try {
  if (cmd === 'init') {
    await ds.create({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: arg, blockSize: 26, nodeSelector: 'all()' } });
    console.log('{}');
  } else {
    console.log(JSON.stringify({
      handles: (await ds.list('IPAMHandle')).items.map((h) => h.metadata.name),
      weps: (await ds.list('WorkloadEndpoint')).items.map((w) => w.metadata.name),
    }));
  }
} finally { await ds.close(); }
