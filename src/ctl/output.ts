// `tabby get` printing as calicoctl does it: Go tabwriter tables (minwidth 5, padding 3, space aligned, no
// borders, every cell tab-terminated so the last column is padded too), YAML with sorted keys (calicoctl
// converts through JSON maps) and JSON in Go struct order (kind, apiVersion, metadata, spec).
import { stringify } from 'yaml';
import { API_VERSION, type Resource } from '../api/resource.ts';
import { DEFAULT_AS_NUMBER, DEFAULT_TIER } from '../api/defaults.ts';
import { TabbyError } from '../errors.ts';

export type OutputFormat = 'ps' | 'wide' | 'yaml' | 'json' | 'name' | 'custom-columns';
export const OUTPUT_FORMATS: OutputFormat[] = ['ps', 'wide', 'yaml', 'json', 'name', 'custom-columns'];

/** The API group of every Tabby kind, as kubectl names Calico's resources. */
const API_GROUP = 'projectcalico.org';

/** `-o name`, as kubectl prints it: `<kind>.<group>/<name>`, one per line (no namespace, no blank line). */
export function renderNames(items: Resource[]): string {
  return items.map((r) => `${r.kind.toLowerCase()}.${API_GROUP}/${r.metadata.name}\n`).join('');
}

/** Go text/tabwriter with calicoctl's settings: NewWriter(out, 5, 1, 3, ' ', 0). */
export function tabwrite(rows: string[][], minWidth = 5, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minWidth, [...cell].length + padding);
    });
  }
  return rows.map((row) => row.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('') + '\n').join('');
}

/** Context for columns that depend on other resources (a node's inherited AS number). */
export interface TableContext {
  /** spec.asNumber of the global BGPConfiguration, or 64512. */
  globalAsNumber?: number | string;
}

interface Column {
  header: string;
  cell: (r: Resource, ctx: TableContext) => string;
}

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const b = (v: unknown): string => (v === true ? 'true' : 'false');
const joinList = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(',') : '');

/** calicoctl's joinAndTruncate: joined with ',', cut to `max` characters ending in `...` once longer. */
function joinAndTruncate(v: unknown, max: number): string {
  const text = joinList(v);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
const labels = (v: unknown): string => (v && typeof v === 'object' ? Object.entries(v as Record<string, string>).sort(([a], [c]) => a.localeCompare(c)).map(([k, x]) => `${k}=${x}`).join(',') : '');

const NAME: Column = { header: 'NAME', cell: (r) => r.metadata.name };
const col = (header: string, cell: Column['cell']): Column => ({ header, cell });

function bgpPeerNode(r: Resource): string {
  const sp = r.spec ?? {};
  if (sp.node) return String(sp.node);
  if (sp.nodeSelector) return String(sp.nodeSelector);
  return '(global)';
}

function nodeAsn(r: Resource, ctx: TableContext): string {
  const own = r.spec?.bgp?.asNumber;
  if (own !== undefined) return String(own);
  if (!r.spec?.bgp) return '';
  return `(${ctx.globalAsNumber ?? DEFAULT_AS_NUMBER})`;
}

function stripPrefix(addr: unknown): string {
  return typeof addr === 'string' ? addr : '';
}

const wepNats = (r: Resource): string =>
  Array.isArray(r.spec?.ipNATs) ? r.spec.ipNATs.map((n: { internalIP: string; externalIP: string }) => `${n.internalIP}<->${n.externalIP}`).join(',') : '';

const policyColumns = (wide: boolean): Column[] => wide
  ? [NAME, col('TIER', (r) => s(r.spec?.tier ?? DEFAULT_TIER)), col('ORDER', (r) => s(r.spec?.order)), col('SELECTOR', (r) => s(r.spec?.selector))]
  : [NAME, col('TIER', (r) => s(r.spec?.tier ?? DEFAULT_TIER))];

/** calicoctl's columns per kind (calico-behaviour.md §7). */
export function columnsFor(kind: string, wide: boolean): Column[] {
  switch (kind) {
    case 'IPPool':
      return wide
        ? [NAME, col('CIDR', (r) => s(r.spec?.cidr)), col('NAT', (r) => b(r.spec?.natOutgoing)), col('IPIPMODE', (r) => s(r.spec?.ipipMode ?? 'Never')),
          col('VXLANMODE', (r) => s(r.spec?.vxlanMode ?? 'Never')), col('DISABLED', (r) => b(r.spec?.disabled)),
          col('DISABLEBGPEXPORT', (r) => b(r.spec?.disableBGPExport)), col('SELECTOR', (r) => s(r.spec?.nodeSelector))]
        : [NAME, col('CIDR', (r) => s(r.spec?.cidr)), col('SELECTOR', (r) => s(r.spec?.nodeSelector))];
    case 'Node':
      return wide
        ? [NAME, col('ASN', nodeAsn), col('IPV4', (r) => stripPrefix(r.spec?.bgp?.ipv4Address)), col('IPV6', (r) => stripPrefix(r.spec?.bgp?.ipv6Address))]
        : [NAME];
    case 'BGPPeer':
      return [NAME, col('PEERIP', (r) => s(r.spec?.peerIP ?? r.spec?.peerSelector)), col('NODE', bgpPeerNode), col('ASN', (r) => s(r.spec?.asNumber))];
    case 'BGPFilter': {
      const count = (field: string) => col(`NUM${field.toUpperCase()}`, (r) => String(Array.isArray(r.spec?.[field]) ? r.spec[field].length : 0));
      return [NAME, count('exportV4'), count('importV4'), count('exportV6'), count('importV6')];
    }
    case 'BGPConfiguration':
      return [NAME, col('LOGSEVERITY', (r) => s(r.spec?.logSeverityScreen)), col('MESHENABLED', (r) => (r.spec?.nodeToNodeMeshEnabled === undefined ? '' : b(r.spec.nodeToNodeMeshEnabled))),
        col('ASNUMBER', (r) => s(r.spec?.asNumber))];
    case 'HostEndpoint':
      return wide
        ? [NAME, col('NODE', (r) => s(r.spec?.node)), col('INTERFACE', (r) => s(r.spec?.interfaceName)), col('IPS', (r) => joinList(r.spec?.expectedIPs)),
          col('PROFILES', (r) => joinList(r.spec?.profiles))]
        : [NAME, col('NODE', (r) => s(r.spec?.node))];
    case 'WorkloadEndpoint': {
      const workload = col('WORKLOAD', (r) => s(r.spec?.workload || r.spec?.pod));
      const rest = [col('NODE', (r) => s(r.spec?.node)), col('NETWORKS', (r) => joinList(r.spec?.ipNetworks)), col('INTERFACE', (r) => s(r.spec?.interfaceName))];
      return wide
        ? [NAME, workload, ...rest, col('PROFILES', (r) => joinList(r.spec?.profiles)), col('NATS', wepNats)]
        : [workload, ...rest];
    }
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy':
      return policyColumns(wide);
    case 'Profile':
      return wide ? [NAME, col('LABELS', (r) => labels(r.spec?.labelsToApply))] : [NAME];
    case 'NetworkSet':
    case 'GlobalNetworkSet':
      return wide ? [NAME, col('NETS', (r) => joinList(r.spec?.nets))] : [NAME];
    case 'IPAMConfiguration': {
      const base = [NAME, col('STRICTAFFINITY', (r) => b(r.spec?.strictAffinity)), col('AUTOALLOCATEBLOCKS', (r) => b(r.spec?.autoAllocateBlocks ?? true))];
      return wide ? [...base, col('MAXBLOCKSPERHOST', (r) => s(r.spec?.maxBlocksPerHost ?? 0))] : base;
    }
    case 'IPReservation':
      return wide ? [NAME, col('CIDRS', (r) => joinAndTruncate(r.spec?.reservedCIDRs, 80))] : [NAME];
    case 'Tier':
      return [NAME, col('ORDER', (r) => s(r.spec?.order))];
    case 'ClusterInformation':
      return [NAME, col('CLUSTERGUID', (r) => s(r.spec?.clusterGUID)), col('CLUSTERTYPE', (r) => s(r.spec?.clusterType)),
        col('CALICOVERSION', (r) => s(r.spec?.calicoVersion)), col('DATASTOREREADY', (r) => s(r.spec?.datastoreReady))];
    case 'IPAMBlock':
      return [NAME, col('CIDR', (r) => s(r.spec?.cidr)), col('AFFINITY', (r) => s(r.spec?.affinity))];
    case 'BlockAffinity':
      return [NAME, col('NODE', (r) => s(r.spec?.node)), col('CIDR', (r) => s(r.spec?.cidr)), col('STATE', (r) => s(r.spec?.state))];
    default:
      return [NAME];
  }
}

/** `-o custom-columns=A,B`: any heading of the kind's ps or wide table, in the order given, spelled exactly (as calicoctl looks them up). */
export function customColumns(kind: string, headings: string[]): Column[] {
  const known = new Map<string, Column>();
  for (const c of [...columnsFor(kind, true), ...columnsFor(kind, false)]) known.set(c.header, c);
  return headings.map((h) => {
    const c = known.get(h);
    if (!c) throw new UnknownHeadingError(h, [...known.keys()]);
    return c;
  });
}

export class UnknownHeadingError extends TabbyError {
  constructor(readonly heading: string, readonly valid: string[]) {
    super('UnknownHeading', `Unknown heading ${heading}, valid values are: ${valid.join(', ')}`);
    this.name = 'UnknownHeadingError';
  }
}

export function renderTable(kind: string, items: Resource[], opts: { wide: boolean; withNamespace: boolean; ctx?: TableContext | undefined; columns?: string[] | undefined }): string {
  const cols = opts.columns ? customColumns(kind, opts.columns) : columnsFor(kind, opts.wide);
  const all: Column[] = opts.withNamespace ? [col('NAMESPACE', (r) => s(r.metadata.namespace)), ...cols] : cols;
  const rows = [all.map((c) => c.header), ...items.map((r) => all.map((c) => c.cell(r, opts.ctx ?? {})))];
  // calicoctl leaves a blank line after each table.
  return tabwrite(rows) + '\n';
}

/** Top-level key order of Go's v3 structs (TypeMeta is kind, apiVersion). */
function goOrder(r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: r.kind, apiVersion: r.apiVersion };
  for (const k of ['metadata', 'spec', 'status'] as const) if (r[k] !== undefined) out[k] = r[k];
  return out;
}

/** calicoctl prints one resource as itself and several as a `<Kind>List` (a plain `List` when kinds are mixed). */
export function listOf(kind: string, items: Resource[], resourceVersion?: string): Record<string, unknown> {
  return { kind: `${kind}List`, apiVersion: API_VERSION, metadata: resourceVersion ? { resourceVersion } : {}, items };
}

export function renderYaml(doc: unknown): string {
  return stringify(doc, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
}

export function renderJson(doc: unknown): string {
  const ordered = (v: unknown): unknown => {
    if (v && typeof v === 'object' && !Array.isArray(v) && 'kind' in v && 'apiVersion' in v) {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.items)) return { kind: o.kind, apiVersion: o.apiVersion, metadata: o.metadata, items: o.items.map(ordered) };
      return goOrder(o as unknown as Resource);
    }
    return v;
  };
  return JSON.stringify(ordered(doc), null, 2) + '\n';
}
