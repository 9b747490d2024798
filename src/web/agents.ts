// Each node's agent, asked every few seconds for its state (GET /trace/status on the node's address, with
// the cluster's trace token): readiness and BGP sessions. 'changed' fires only when an answer differs.
import { EventEmitter } from 'node:events';
import type { Resource } from '../api/resource.ts';
import type { BgpStatus } from '../bgp/status.ts';
import type { AgentStatus } from './view-model.ts';

export interface AgentPollerOptions {
  nodes: () => Resource[];
  token: string | undefined;
  port: number;
  everyMs: number;
}

/** What the status answer is compared on (the `since` of each peer changes only with its state). */
function fingerprint(s: AgentStatus): string {
  return JSON.stringify([s.reachable, s.error, s.ready, s.bgp?.running, s.bgp?.peers.map((p) => [p.address, p.state, p.since])]);
}

export class AgentPoller extends EventEmitter<{ changed: [] }> {
  readonly statuses = new Map<string, AgentStatus>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: AgentPollerOptions) { super(); }

  start(): void {
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try { await this.pollAll(); } finally { this.running = false; }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.o.everyMs);
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  private async pollAll(): Promise<void> {
    const nodes = this.o.nodes();
    let changed = false;
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const k of [...this.statuses.keys()]) if (!names.has(k)) { this.statuses.delete(k); changed = true; }
    await Promise.all(nodes.map(async (n) => {
      const s = await this.ask(n);
      const before = this.statuses.get(n.metadata.name);
      if (!before || fingerprint(before) !== fingerprint(s)) changed = true;
      this.statuses.set(n.metadata.name, s);
    }));
    if (changed) this.emit('changed');
  }

  private async ask(n: Resource): Promise<AgentStatus> {
    const at = Date.now();
    const addr = ((n.spec ?? {}) as { bgp?: { ipv4Address?: string } }).bgp?.ipv4Address?.split('/')[0];
    if (!addr) return { reachable: false, error: 'the node has no address in the datastore', at };
    if (!this.o.token) return { reachable: false, error: 'no trace token: agents cannot be asked (docs/trace.md)', at };
    try {
      const r = await fetch(`http://${addr}:${this.o.port}/trace/status`, {
        headers: { authorization: `Bearer ${this.o.token}` }, signal: AbortSignal.timeout(Math.min(1500, this.o.everyMs)),
      });
      const body = await r.json().catch(() => ({})) as { error?: string; ready?: boolean; bgp?: BgpStatus };
      if (!r.ok) return { reachable: false, error: body.error ?? `HTTP ${r.status}`, at };
      return { reachable: true, ...(body.ready !== undefined ? { ready: body.ready } : {}), ...(body.bgp ? { bgp: body.bgp } : {}), at };
    } catch (e) {
      const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
      return { reachable: false, error: `no answer from ${addr}:${this.o.port} (${cause ?? (e as Error).message})`, at };
    }
  }
}
