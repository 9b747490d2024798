// Which IP-in-IP dataplane can this kernel run? With the ipip module, every network namespace has the
// fallback device `tunl0` of type ipip and the kernel encapsulates (Calico's normal setup). Without it
// (`ip link add type ipip` → "Unknown device type"), Tabby uses tc eBPF on a TUN `tunl0` (see ebpf/ipip.bpf.c).
import { readFile } from 'node:fs/promises';
import { execRunner, type Runner } from '../exec.ts';

export type IpipMode = 'kernel' | 'ebpf';

const ARPHRD_TUNNEL = 768; // the ipip driver's link type
const ARPHRD_NONE = 0xfffe; // a TUN device

/** The link type of an interface in the current namespace, or undefined when it does not exist. */
export async function linkType(name: string): Promise<number | undefined> {
  try {
    return Number((await readFile(`/sys/class/net/${name}/type`, 'utf8')).trim());
  } catch {
    return undefined;
  }
}

export function isKernelTunl0(type: number | undefined): boolean {
  return type === ARPHRD_TUNNEL;
}

export function isTunTunl0(type: number | undefined): boolean {
  return type === ARPHRD_NONE;
}

/**
 * Decide the mode for the current namespace. A tunl0 of the ipip type means the kernel has the module.
 * Otherwise probe once by creating (and at once deleting) a uniquely named ipip link of our own.
 */
export async function detectIpipMode(run: Runner = execRunner): Promise<{ mode: IpipMode; reason: string }> {
  const t = await linkType('tunl0');
  if (isKernelTunl0(t)) return { mode: 'kernel', reason: 'tunl0 is a kernel ipip device' };
  const probe = `tabbyipip${process.pid % 100000}`;
  try {
    await run(['ip', 'link', 'add', probe, 'type', 'ipip']);
    await run(['ip', 'link', 'del', probe]).catch(() => undefined);
    return { mode: 'kernel', reason: 'the kernel created an ipip link' };
  } catch (e) {
    return { mode: 'ebpf', reason: `kernel has no ipip support (${(e as Error).message.split('\n')[0]}); using tc eBPF encapsulation` };
  }
}
