// The kernel operations the agent's reconcilers need, as one small interface. NetlinkKernel implements it
// over src/netlink (in this process's namespace, or another one for in-process tests); the unit tests use
// a fake with fail-next switches. Routes here are IPv4, main table.
import type { DesiredRoute } from '../calc/types.ts';

export interface KernelRoute {
  /** Always with prefix length. */
  dst: string;
  type: 'unicast' | 'blackhole' | 'other';
  dev?: string | undefined;
  gateway?: string | undefined;
  onlink: boolean;
  scope: 'link' | 'universe' | 'other';
  proto: number;
  metric?: number | undefined;
}

/** A route as the kernel is asked to write it: the desired route without the agent's ownership class. */
export type RouteWrite = Omit<DesiredRoute, 'class'>;

export interface KernelLink {
  index: number;
  name: string;
  mtu: number;
  mac: string;
  up: boolean;
  kind?: string | undefined;
}

export interface VxlanParams {
  vni: number;
  port: number;
  local?: string | undefined;
  /** Parent device index. */
  parentIndex?: number | undefined;
  learning: boolean;
}

export interface KernelNeighbor {
  ip: string;
  mac: string;
  permanent: boolean;
}

export interface KernelFdb {
  mac: string;
  dst: string;
}

export interface Kernel {
  listRoutes(): Promise<KernelRoute[]>;
  replaceRoute(r: RouteWrite): Promise<void>;
  deleteRoute(r: KernelRoute): Promise<void>;
  /**
   * Optional bulk path for large updates (start-up, a big cluster appearing): replace many routes in one
   * request stream. Returns the indexes of the routes that failed; throws only when nothing could be tried.
   */
  replaceRoutesBulk?(routes: RouteWrite[]): Promise<Set<number>>;

  getLink(name: string): Promise<KernelLink | undefined>;
  listLinks(): Promise<KernelLink[]>;
  vxlanParams(name: string): Promise<VxlanParams | undefined>;
  createVxlan(o: { name: string; vni: number; port: number; local: string; parentIndex: number; mac: string; mtu: number }): Promise<void>;
  deleteLink(name: string): Promise<void>;
  setLinkUp(name: string): Promise<void>;
  setLinkMtu(name: string, mtu: number): Promise<void>;
  setLinkMac(name: string, mac: string): Promise<void>;
  listAddresses(name: string): Promise<string[]>;
  addAddress(name: string, cidr: string): Promise<void>;
  delAddress(name: string, cidr: string): Promise<void>;

  listNeighbors(dev: string): Promise<KernelNeighbor[]>;
  replaceNeighbor(dev: string, ip: string, mac: string): Promise<void>;
  deleteNeighbor(dev: string, ip: string): Promise<void>;
  listFdb(dev: string): Promise<KernelFdb[]>;
  replaceFdb(dev: string, mac: string, dst: string): Promise<void>;
  deleteFdb(dev: string, mac: string, dst: string): Promise<void>;

  /** `ip route get <ip>`: the interface and source address the kernel would use. */
  routeGet(ip: string): Promise<{ dev?: string | undefined; src?: string | undefined } | undefined>;

  readSysctl(key: string): Promise<string | undefined>;
  writeSysctl(key: string, value: string): Promise<void>;

  /** Run an nft script atomically (`nft -f <tempfile>`). */
  nftApply(script: string): Promise<void>;
  /** `nft -j list table <family> <name>`, parsed; undefined when the table does not exist. */
  nftListTable(family: string, name: string): Promise<unknown[] | undefined>;

  close(): void;
}
