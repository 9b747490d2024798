// Fakes for the plugin's orchestration tests: a recording dataplane and an in-memory backend with a pool.
import { MemoryDatastore } from '../../src/datastore/memory.ts';
import { createIpam } from '../../src/ipam/index.ts';
import { API_VERSION } from '../../src/api/resource.ts';
import type { Dataplane, FaultHook, SetupRequest } from '../../src/cni/dataplane.ts';
import type { CniBackend } from '../../src/cni/backend.ts';

export class FakeDataplane implements Dataplane {
  links = new Set<string>();
  /** `<netns> <ifname>` of container interfaces that exist. */
  containerIfs = new Set<string>();
  calls: string[] = [];
  checked: SetupRequest[] = [];
  async setup(req: SetupRequest, fault: FaultHook = () => {}) {
    this.calls.push(`setup ${req.hostVeth} ${req.ips.join(',')} mtu ${req.mtu}`);
    this.links.add(req.hostVeth);
    try {
      for (const s of ['veth', 'sysctl', 'link-up', 'address', 'routes', 'host-route'] as const) fault(s);
    } catch (e) {
      this.links.delete(req.hostVeth); // as the real one: setup undoes its own partial work
      throw e;
    }
    this.containerIfs.add(`${req.netns} ${req.ifname}`);
    return { containerMac: '02:00:00:00:00:07', hostIndex: 9 };
  }
  async teardown(netns: string | undefined, ifname: string) { this.calls.push(`teardown ${netns} ${ifname}`); this.links.clear(); this.containerIfs.delete(`${netns} ${ifname}`); }
  async interfaceExists(netns: string, ifname: string) { return this.containerIfs.has(`${netns} ${ifname}`); }
  async removeHostVeth(name: string) { this.calls.push(`remove ${name}`); this.links.delete(name); }
  async check(req: SetupRequest) { this.checked.push(req); return [] as string[]; }
}

export async function memoryBackend(): Promise<{ ds: MemoryDatastore; open: () => Promise<CniBackend> }> {
  const ds = new MemoryDatastore();
  await ds.create({ apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'pool' }, spec: { cidr: '10.70.0.0/16', blockSize: 26, nodeSelector: 'all()' } });
  return { ds, open: async () => ({ ds, ipam: createIpam(ds), close: async () => {} }) };
}

