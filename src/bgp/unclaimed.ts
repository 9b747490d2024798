// Inbound connections from addresses that are not (yet) peers. In a mesh every node learns of a new node from
// the datastore a few ms apart: the new node's first connection can arrive before its Node reaches us, and
// refusing it would cost it a ConnectRetry (5 s). So an unknown address is held (unread) for a moment; if it
// becomes a peer the connection is taken (see BgpSpeaker.addPeer), otherwise it is refused.
import type net from 'node:net';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';

const UNCLAIMED_HOLD_MS = 3000;
const MAX_UNCLAIMED = 32;

export class UnclaimedConnections {
  private readonly held = new Map<net.Socket, { addr: string; timer: TimerHandle }>();

  constructor(private readonly clock: Clock, private readonly log: Logger) {}

  get size(): number { return this.held.size; }

  /** Hold a connection from `addr` (refused at once when too many are held already). */
  hold(sock: net.Socket, addr: string): void {
    const refuse = () => { this.log.debug({ from: addr }, 'connection from an unconfigured address refused'); sock.destroy(); };
    if (this.held.size >= MAX_UNCLAIMED) { refuse(); return; }
    const timer = this.clock.setTimeout(() => { this.held.delete(sock); refuse(); }, UNCLAIMED_HOLD_MS);
    timer.unref();
    this.held.set(sock, { addr, timer });
    sock.once('close', () => { const u = this.held.get(sock); if (u) { this.clock.clear(u.timer); this.held.delete(sock); } });
  }

  /** The held connections from `addr`, no longer held. */
  take(addr: string): net.Socket[] {
    const out: net.Socket[] = [];
    for (const [sock, u] of this.held) {
      if (u.addr !== addr) continue;
      this.clock.clear(u.timer);
      this.held.delete(sock);
      out.push(sock);
    }
    return out;
  }

  /** Refuse every held connection (the speaker stops). */
  clear(): void {
    for (const [sock, u] of this.held) { this.clock.clear(u.timer); sock.destroy(); }
    this.held.clear();
  }
}
