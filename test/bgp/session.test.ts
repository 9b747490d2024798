// One Session over a real loopback socket against a scripted peer, with the session's timers on a manual
// clock: keepalive, hold timer (RFC 4271 §4.4, §8.2.2 event 10) and connect retry fire exactly when the
// negotiated times say, with no test waiting on the wall clock.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { Afi, CapCode, encodeKeepalive, encodeOpen, frameLength, Safi } from '../../src/bgp/codec.ts';
import type { FsmConfig } from '../../src/bgp/fsm.ts';
import { Session, type SessionHandlers } from '../../src/bgp/session.ts';
import { ManualClock } from '../helpers/clock.ts';

const log = pino({ level: 'silent' });
const MSG = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4 } as const;

const servers: net.Server[] = [];
after(() => { for (const s of servers) s.close(); });

/** A listening peer that records the messages it receives and can answer with raw bytes. */
class ScriptedPeer {
  readonly server = net.createServer((sock) => this.onConnection(sock));
  sock: net.Socket | undefined;
  connections = 0;
  received: Uint8Array[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  constructor(private readonly onConnect: (p: ScriptedPeer, sock: net.Socket) => void) { servers.push(this.server); }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  count(type: number): number { return this.received.filter((m) => m[18] === type).length; }

  /** Resolves when `cond` holds, re-checked on every received message or connection (no polling). */
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) await new Promise<void>((r) => this.waiters.push(r));
  }

  private onConnection(sock: net.Socket): void {
    this.connections++;
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (let len = frameLength(this.buf); len > 0 && this.buf.length >= len; len = frameLength(this.buf)) {
        this.received.push(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
      }
      this.wake();
    });
    sock.on('close', () => this.wake());
    this.onConnect(this, sock);
    this.wake();
  }

  private wake(): void { for (const w of this.waiters.splice(0)) w(); }
}

const peerOpen = (holdTime: number) => encodeOpen({
  version: 4, myAs: 64512, holdTime, routerId: '127.0.0.9',
  capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 64512 }, { code: CapCode.MULTIPROTOCOL, afi: Afi.IPV4, safi: Safi.UNICAST }],
});

function config(over: Partial<FsmConfig> = {}): FsmConfig {
  return { localAs: 64512, routerId: '127.0.0.1', peerAs: 64512, holdTime: 9, connectRetryTime: 5, passive: false, families: [{ afi: Afi.IPV4, safi: Safi.UNICAST }], ...over };
}

/** Handlers that record what the session reports; `established` resolves on the first Established. */
function recorder() {
  const downs: string[] = [];
  let resolveUp!: () => void;
  const established = new Promise<void>((r) => { resolveUp = r; });
  const handlers: SessionHandlers = {
    onState: () => undefined, onOpenReceived: () => undefined, onUpdate: () => undefined, onRouteRefresh: () => undefined,
    onEstablished: () => resolveUp(),
    onDown: (_s, reason) => { downs.push(reason); },
  };
  return { handlers, downs, established };
}

/** Lets the event loop turn until `cond` holds (socket callbacks the session handles); fails after many turns. */
async function turnsUntil(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 100_000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('Session timers on a manual clock', () => {
  test('keepalives every third of the hold time; the hold timer resets on each message and expires with a NOTIFICATION', async () => {
    const peer = new ScriptedPeer((_p, sock) => { sock.write(peerOpen(9)); sock.write(encodeKeepalive()); });
    const port = await peer.listen();
    const clock = new ManualClock();
    const rec = recorder();
    const s = new Session(config(), { remoteAddress: '127.0.0.1', remotePort: port }, rec.handlers, log, clock);
    s.start();
    await rec.established;
    await peer.until(() => peer.count(MSG.KEEPALIVE) >= 1); // our answer to its OPEN
    const keepalivesAtStart = peer.count(MSG.KEEPALIVE);

    const sentAtStart = s.counters.messagesOut;
    clock.advance(2_999);
    assert.equal(s.counters.messagesOut, sentAtStart, 'no keepalive before 3 s');
    clock.advance(1);
    assert.equal(s.counters.messagesOut, sentAtStart + 1, 'a keepalive at 3 s');
    await peer.until(() => peer.count(MSG.KEEPALIVE) === keepalivesAtStart + 1);

    // The peer's KEEPALIVE at 6 s restarts our 9 s hold timer: still up at 14 s.
    clock.advance(3_000);
    const inBefore = s.counters.messagesIn;
    peer.sock!.write(encodeKeepalive());
    await turnsUntil('the session reads the KEEPALIVE', () => s.counters.messagesIn > inBefore);
    clock.advance(8_000);
    assert.equal(s.state, 'Established', 'hold timer restarted by the KEEPALIVE');
    assert.equal(peer.count(MSG.NOTIFICATION), 0);

    // Nothing more from the peer: 9 s after its last message the session ends with Hold Timer Expired (4/0).
    clock.advance(1_000);
    await peer.until(() => peer.count(MSG.NOTIFICATION) === 1);
    const n = peer.received.find((m) => m[18] === MSG.NOTIFICATION)!;
    assert.deepEqual([n[19], n[20]], [4, 0]);
    assert.deepEqual(rec.downs, ['Sent: Hold Timer Expired: hold timer expired']);
    assert.equal(s.state, 'Idle');
    s.stop();
  });

  test('a refused connection is retried after ConnectRetryTime, not before', async () => {
    const peer = new ScriptedPeer((_p, sock) => sock.destroy()); // accepts, then hangs up at once
    const port = await peer.listen();
    const clock = new ManualClock();
    const rec = recorder();
    const s = new Session(config({ connectRetryTime: 5 }), { remoteAddress: '127.0.0.1', remotePort: port }, rec.handlers, log, clock);
    s.start();
    await peer.until(() => peer.connections === 1);
    await turnsUntil('the session sees the hang-up', () => s.state === 'Active');
    assert.equal(clock.nextDue(), 5_000, 'the connect-retry timer is the only one running');
    clock.advance(4_999);
    assert.equal(s.state, 'Active', 'no second attempt before 5 s');
    clock.advance(1);
    assert.equal(s.state, 'Connect', 'dialling again at 5 s');
    await peer.until(() => peer.connections === 2);
    s.stop();
  });
});
