// The IPIP dataplane seam the node agent calls. Routes (`<block> via <node IP> dev tunl0 onlink`) are the
// agent's; this module owns the tunl0 device and, on kernels without the ipip module, the eBPF encapsulation.
//
// Design choice for kernels without ipip (measured in bench/dataplane.ts): tc eBPF on a TUN tunl0 keeps the
// kernel on the packet path, so throughput is close to the bare fabric; a userspace TUN + raw-socket relay
// would copy every packet through this process and cap at a small fraction of it. TCP segmentation offloads
// stay on: the program marks encapsulated GSO packets (SKB_GSO_IPXIP4) so the kernel segments them correctly.
import type { Logger } from '../log.ts';
import { detectIpipMode, isTunTunl0, linkType, type IpipMode } from './detect.ts';
import { ensureObject } from './ebpf/object.ts';
import { execRunner, type Runner } from '../exec.ts';
import { holdTun, type TunHold } from './tun.ts';

export const TUNL0 = 'tunl0';
export const IPIP_OVERHEAD = 20;
/** tc filter priority used for our programs, so that replace is idempotent and removal precise. */
const FILTER_PREF = '49';

export interface IpipOptions {
  /** The node's fabric interface (where encapsulated packets leave and arrive), e.g. eth0. */
  fabricInterface: string;
  /** The node's IPIP tunnel address (Node spec.bgp.ipv4IPIPTunnelAddr), put on tunl0 as /32. */
  tunnelAddress?: string | undefined;
  /** MTU of the fabric interface; tunl0 gets hostMtu - 20. */
  hostMtu: number;
  log?: Logger;
  /** Force a mode (tests); default: detect. */
  mode?: IpipMode;
  run?: Runner;
}

export interface IpipDataplane {
  readonly mode: IpipMode;
  readonly mtu: number;
  /** Release what this process holds (the TUN file); the dataplane keeps forwarding. */
  stop(): Promise<void>;
  /** Remove tunl0 and our tc programs (IPIP disabled everywhere). */
  remove(): Promise<void>;
}

export async function ensureIpipDataplane(opts: IpipOptions): Promise<IpipDataplane> {
  const run = opts.run ?? execRunner;
  const detected = opts.mode ? { mode: opts.mode, reason: 'forced' } : await detectIpipMode(run);
  const mtu = opts.hostMtu - IPIP_OVERHEAD;
  opts.log?.info({ mode: detected.mode, reason: detected.reason, mtu }, 'IPIP dataplane');

  let hold: TunHold | undefined;
  if (detected.mode === 'kernel') {
    // The module's fallback device exists in every namespace once loaded; create it if not.
    if ((await linkType(TUNL0)) === undefined) await run(['ip', 'link', 'add', TUNL0, 'type', 'ipip']);
    await run(['ip', 'link', 'set', TUNL0, 'mtu', String(mtu), 'up']);
  } else {
    const obj = await ensureObject({ run });
    const t = await linkType(TUNL0);
    if (t !== undefined && !isTunTunl0(t)) throw new Error(`${TUNL0} exists but is not a TUN device (type ${t}); remove it first`);
    if (t === undefined) await run(['ip', 'tuntap', 'add', 'dev', TUNL0, 'mode', 'tun']);
    await run(['ip', 'link', 'set', TUNL0, 'mtu', String(mtu), 'up']);
    // Replacing the filters is atomic: a restarted agent never leaves a window without encapsulation.
    await run(['tc', 'qdisc', 'replace', 'dev', TUNL0, 'clsact']);
    await run(['tc', 'filter', 'replace', 'dev', TUNL0, 'egress', 'pref', FILTER_PREF, 'handle', '1', 'bpf', 'da', 'obj', obj, 'sec', 'tc/egress']);
    await run(['tc', 'qdisc', 'replace', 'dev', opts.fabricInterface, 'clsact']);
    await run(['tc', 'filter', 'replace', 'dev', opts.fabricInterface, 'ingress', 'pref', FILTER_PREF, 'handle', '1', 'bpf', 'da', 'obj', obj, 'sec', 'tc/ingress']);
    try {
      hold = holdTun(TUNL0);
    } catch (e) {
      // Only cosmetic (carrier): forwarding does not depend on it.
      opts.log?.warn({ err: (e as Error).message }, 'could not attach to tunl0; its routes will read "linkdown"');
    }
  }
  if (opts.tunnelAddress) {
    await run(['ip', 'addr', 'replace', `${opts.tunnelAddress}/32`, 'dev', TUNL0]);
  }

  return {
    mode: detected.mode,
    mtu,
    async stop() { hold?.close(); hold = undefined; },
    async remove() {
      hold?.close(); hold = undefined;
      if (detected.mode === 'ebpf') {
        await run(['tc', 'filter', 'del', 'dev', opts.fabricInterface, 'ingress', 'pref', FILTER_PREF]).catch(() => undefined);
        await run(['ip', 'link', 'del', TUNL0]).catch(() => undefined);
      } else {
        await run(['ip', 'addr', 'flush', 'dev', TUNL0]).catch(() => undefined);
      }
    },
  };
}

export { detectIpipMode, type IpipMode } from './detect.ts';
