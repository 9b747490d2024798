// Fakes for the plugin's orchestration tests: a dataplane that records calls (and undoes its own partial
// work on a fault, as the real one does) and an in-memory datastore with one pool and real IPAM.
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { createIpam } from '../../src/ipam/index.ts';
import { API_VERSION } from '../../src/api/resource.ts';
import type { Dataplane, FaultHook, SetupRequest } from '../../src/cni/dataplane.ts';
import type { CniBackend } from '../../src/cni/backend.ts';

export class FakeDataplane implements Dataplane {
  links = new Set<string>();
  calls: string[] = [];
  async setup(req: SetupRequest, fault: FaultHook = () => {}) {
    this.calls.push(`setup ${req.hostVeth} ${req.ips.join(',')} mtu ${req.mtu}`);
    this.links.add(req.hostVeth);
    try {
      for (const s of ['veth', 'sysctl', 'link-up', 'address', 'routes', 'host-route'] as const) fault(s);
    } catch (e) {
      this.links.delete(req.hostVeth); // as the real one: setup undoes its own partial work
      throw e;
    }
    return { containerMac: '02:00:00:00:00:07', hostIndex: 9 };
  }
  async teardown(netns: string | undefined, ifname: string) { this.calls.push(`teardown ${netns} ${ifname}`); this.links.clear(); }
  async removeHostVeth(name: string) { this.calls.push(`remove ${name}`); this.links.delete(name); }
  async check() { return [] as string[]; }
}

export async function memoryBackend(): Promise<{ ds: MemoryDatastore; open: () => Promise<CniBackend> }> {
  const ds = new MemoryDatastore();
  await ds.create({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'pool' }, spec: { cidr: '10.70.0.0/16', blockSize: 26, nodeSelector: 'all()' } });
  return { ds, open: async () => ({ ds, ipam: createIpam(ds), close: async () => {} }) };
}

