// Calico's deterministic VTEP MAC (felix calc/vxlan_resolver.go vtepMACForHost): 0x66 ('f') followed by
// the first five bytes of sha1(<node name>); IPv6 VTEPs hash `<node>-v6`. Pure (hashing has no side effects).
import { createHash } from 'node:crypto';
import { macFromDigest } from './model.ts';

export function vtepMacForNode(nodeName: string, ipv6 = false): string {
  return macFromDigest(createHash('sha1').update(ipv6 ? `${nodeName}-v6` : nodeName).digest());
}
