// NAT outgoing in nftables, in a table only the agent writes (`ip tabby-nat`): traffic from a pool with
// natOutgoing to a destination outside every pool is masqueraded (Felix's cali-nat-outgoing rule, with
// sets named after Felix's IP sets). The whole table is rewritten atomically in one `nft -f` transaction
// when its contents change; a resync reads it back and rewrites it if anything drifted. No natOutgoing
// pool → no table.
import type { Logger } from '../../log.ts';
import type { DesiredState, NatState } from '../calc/types.ts';
import type { Kernel } from './kernel.ts';
import type { DataplaneManager } from './manager.ts';

export const NAT_TABLE = 'tabby-nat';
const MASQ_SET = 'masq-ipam-pools';
const ALL_SET = 'all-ipam-pools';

export function renderNatTable(nat: NatState, table = NAT_TABLE): string {
  const set = (name: string, elems: string[]) =>
    `  set ${name} {\n    type ipv4_addr; flags interval;\n${elems.length ? `    elements = { ${elems.join(', ')} }\n` : ''}  }\n`;
  return [
    `table ip ${table} {\n`,
    set(MASQ_SET, nat.masqPools),
    set(ALL_SET, nat.allPools),
    `  chain nat-outgoing {\n`,
    `    type nat hook postrouting priority srcnat + 10; policy accept;\n`,
    `    ip saddr @${MASQ_SET} ip daddr != @${ALL_SET} masquerade fully-random\n`,
    `  }\n`,
    `}\n`,
  ].join('');
}

/** The transaction that replaces the table (creating it first makes the delete safe when it is absent). */
export function natScript(nat: NatState, table = NAT_TABLE): string {
  if (nat.masqPools.length === 0) return `table ip ${table} {}\ndelete table ip ${table}\n`;
  return `table ip ${table} {}\ndelete table ip ${table}\n${renderNatTable(nat, table)}`;
}

/** What the kernel's table holds, reduced to what we compare: set contents and the number of rules. */
export function summarizeNft(objs: unknown[] | undefined): { masq: string[]; all: string[]; rules: number } | undefined {
  if (!objs) return undefined;
  const out = { masq: [] as string[], all: [] as string[], rules: 0 };
  for (const o of objs as Record<string, any>[]) {
    if (o.rule) out.rules++;
    if (o.set && (o.set.name === MASQ_SET || o.set.name === ALL_SET)) {
      const elems: string[] = [];
      for (const e of o.set.elem ?? []) {
        if (typeof e === 'string') elems.push(`${e}/32`);
        else if (e?.prefix) elems.push(`${e.prefix.addr}/${e.prefix.len}`);
        else if (e?.range) elems.push(`${e.range[0]}-${e.range[1]}`);
      }
      elems.sort();
      if (o.set.name === MASQ_SET) out.masq = elems; else out.all = elems;
    }
  }
  return out;
}

export class NatManager implements DataplaneManager {
  readonly name = 'nat';
  private desired: NatState = { masqPools: [], allPools: [] };
  private applied: string | undefined;
  private needResync = true;

  constructor(private readonly kernel: Kernel, private readonly log: Logger, private readonly table = NAT_TABLE) {}

  onUpdate(state: DesiredState): void { this.desired = state.nat; }
  requestResync(): void { this.needResync = true; }

  async apply(): Promise<void> {
    const want = JSON.stringify(this.desired);
    if (this.needResync) {
      const have = summarizeNft(await this.kernel.nftListTable('ip', this.table));
      const matches = this.desired.masqPools.length === 0
        ? have === undefined
        : have !== undefined && have.rules === 1 && JSON.stringify(have.masq) === JSON.stringify(this.desired.masqPools)
          && JSON.stringify(have.all) === JSON.stringify(this.desired.allPools);
      this.applied = matches ? want : undefined;
      this.needResync = false;
    }
    if (this.applied === want) return;
    try {
      await this.kernel.nftApply(natScript(this.desired, this.table));
    } catch (e) {
      this.needResync = true;
      throw e;
    }
    this.applied = want;
    this.log.info({ masqPools: this.desired.masqPools, allPools: this.desired.allPools }, 'programmed NAT outgoing');
  }
}
