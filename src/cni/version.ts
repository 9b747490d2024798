// CNI spec versions and result formats. Internally a result is the 1.x shape; it is converted to the
// version the runtime asked for when printed. Pure.
import { CNI_ERR, CniError } from './errors.ts';

export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export interface ResultInterface { name: string; mac?: string; mtu?: number; sandbox?: string }
export interface ResultIp { address: string; gateway?: string | undefined; interface?: number | undefined }
export interface ResultRoute { dst: string; gw?: string | undefined }
export interface CniResult {
  interfaces?: ResultInterface[] | undefined;
  ips: ResultIp[];
  routes?: ResultRoute[];
  dns?: Record<string, unknown>;
}

/** The result as printed for `cniVersion`. */
export function formatResult(r: CniResult, cniVersion: string): Record<string, unknown> {
  if (compareVersions(cniVersion, '0.3.0') < 0) {
    // 0.1.0/0.2.0: one ip4 (and ip6) object; no interfaces.
    const v4 = r.ips.find((i) => !i.address.includes(':'));
    const v6 = r.ips.find((i) => i.address.includes(':'));
    const out: Record<string, unknown> = { cniVersion };
    const routesFor = (six: boolean) => (r.routes ?? []).filter((x) => x.dst.includes(':') === six);
    if (v4) out.ip4 = { ip: v4.address, ...(v4.gateway ? { gateway: v4.gateway } : {}), routes: routesFor(false) };
    if (v6) out.ip6 = { ip: v6.address, ...(v6.gateway ? { gateway: v6.gateway } : {}), routes: routesFor(true) };
    out.dns = r.dns ?? {};
    return out;
  }
  const pre1 = compareVersions(cniVersion, '1.0.0') < 0;
  const withMtu = compareVersions(cniVersion, '1.1.0') >= 0;
  const out: Record<string, unknown> = { cniVersion };
  if (r.interfaces) {
    out.interfaces = r.interfaces.map((i) => {
      const o: Record<string, unknown> = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (withMtu && i.mtu) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      return o;
    });
  }
  out.ips = r.ips.map((ip) => {
    const o: Record<string, unknown> = {};
    if (pre1) o.version = ip.address.includes(':') ? '6' : '4';
    o.address = ip.address;
    if (ip.gateway) o.gateway = ip.gateway;
    if (ip.interface !== undefined) o.interface = ip.interface;
    return o;
  });
  if (r.routes && r.routes.length) out.routes = r.routes.map((x) => (x.gw ? { dst: x.dst, gw: x.gw } : { dst: x.dst }));
  out.dns = r.dns ?? {};
  return out;
}

/** Reads a result of any version back into the internal shape (prevResult for CHECK, delegated IPAM output). */
export function parseResult(o: Record<string, unknown>): CniResult {
  if (Array.isArray(o.ips)) {
    return {
      interfaces: Array.isArray(o.interfaces) ? (o.interfaces as ResultInterface[]) : undefined,
      ips: (o.ips as ResultIp[]).map((i) => ({ address: i.address, gateway: i.gateway, interface: i.interface })),
      routes: Array.isArray(o.routes) ? (o.routes as ResultRoute[]) : [],
      dns: (o.dns as Record<string, unknown>) ?? {},
    };
  }
  const ips: ResultIp[] = [];
  const routes: ResultRoute[] = [];
  for (const k of ['ip4', 'ip6']) {
    const v = o[k] as { ip?: string; gateway?: string; routes?: ResultRoute[] } | undefined;
    if (v?.ip) { ips.push({ address: v.ip, gateway: v.gateway }); routes.push(...(v.routes ?? [])); }
  }
  return { ips, routes, dns: (o.dns as Record<string, unknown>) ?? {} };
}

export const NEWEST_VERSION = '1.1.0';

/** The first spec version that has each verb (CHECK came with 0.4.0, STATUS and GC with 1.1.0). */
const VERB_SINCE: Record<string, string> = { CHECK: '0.4.0', STATUS: '1.1.0', GC: '1.1.0' };

/** A verb asked for under a config version that predates it is refused with code 1, as libcni's skel does. */
export function requireVerbVersion(command: string, cniVersion: string): void {
  const since = VERB_SINCE[command];
  if (since && compareVersions(cniVersion, since) < 0) {
    throw new CniError(CNI_ERR.incompatibleVersion, `config version does not allow ${command}`,
      `cniVersion is "${cniVersion}"; ${command} exists from CNI ${since} on`);
  }
}

/** The request's `cniVersion` when stdin can be read and names a version we support; else undefined. */
export function requestVersion(stdin: string): string | undefined {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown } | null)?.cniVersion;
    return typeof v === 'string' && SUPPORTED_VERSIONS.includes(v) ? v : undefined;
  } catch { return undefined; }
}

/** The version an error result carries: the request's when it could be read, otherwise the newest we support. */
export function errorVersion(stdin: string, parsed?: string): string {
  return parsed ?? requestVersion(stdin) ?? NEWEST_VERSION;
}

/**
 * `CNI_COMMAND=VERSION` output. The spec (1.0.0+) has the answer carry the `cniVersion` the runtime sent;
 * without a readable one (0.x runtimes send nothing) it is the newest we support.
 */
export function versionInfo(cniVersion = NEWEST_VERSION): Record<string, unknown> {
  return { cniVersion, supportedVersions: SUPPORTED_VERSIONS };
}

/** The VERSION answer for the stdin a runtime sent. */
export function versionReply(stdin: string): Record<string, unknown> {
  return versionInfo(requestVersion(stdin));
}
