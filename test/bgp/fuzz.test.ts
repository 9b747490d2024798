// Fuzzing: 100,000+ malformed and random messages at the codec, and 100,000+ at a live session of our
// speaker. The codec must only ever fail with a BgpMessageError carrying a real NOTIFICATION code; the live
// speaker must answer each fatal message with exactly the NOTIFICATION the codec predicts, tolerate the
// RFC 7606 cases without a reset, and keep running.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import {
  BgpMessageError, CapCode, decodeMessage, encodeKeepalive, encodeMessage, encodeOpen, encodeRouteRefresh, encodeUpdate,
  ErrorHandling, frameLength, type UpdateMessage,
} from '../../src/bgp/codec.ts';
import { BgpSpeaker } from '../../src/bgp/speaker.ts';

/** Deterministic PRNG (mulberry32) so failures are reproducible from the seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  return { next, int: (n: number) => Math.floor(next() * n), byte: () => Math.floor(next() * 256) };
}

const SEEDS: Uint8Array[] = [
  encodeOpen({ version: 4, myAs: 64512, holdTime: 90, routerId: '10.0.0.2', capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 64512 }, { code: CapCode.MULTIPROTOCOL, afi: 1, safi: 1 }, { code: CapCode.GRACEFUL_RESTART, restarting: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }] }),
  encodeKeepalive(),
  encodeRouteRefresh(1, 1),
  encodeMessage({ type: 'notification', code: 6, subcode: 2, data: new Uint8Array([1]) }),
  encodeUpdate({ type: 'update', withdrawn: ['10.9.0.0/16'], nlri: ['10.1.0.0/24', '10.2.3.0/26'], attrs: { origin: 0, asPath: [{ type: 2, asns: [65001, 65002] }], nextHop: '10.0.0.2', med: 5, localPref: 100, communities: [0xfde80001], originatorId: '1.1.1.1', clusterList: ['2.2.2.2'], aggregator: { asn: 65001, address: '1.2.3.4' }, atomicAggregate: true } }),
  encodeUpdate({ type: 'update', withdrawn: [], nlri: [], attrs: { origin: 0, asPath: [] }, mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: ['2001:db8:1::/48'] }, mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:2::/48'] } }),
  encodeUpdate({ type: 'update', withdrawn: ['10.3.0.0/16'], nlri: [], attrs: {} }),
];

function setLength(m: Uint8Array): Uint8Array {
  m[16] = m.length >> 8; m[17] = m.length & 255;
  return m;
}

/** One mutated or random message. `keepFraming` keeps the header length equal to the real length. */
function mutate(r: ReturnType<typeof rng>, keepFraming: boolean): Uint8Array {
  const kind = r.int(10);
  if (kind === 0) {
    // Random body behind a valid marker and a random type.
    const len = 19 + r.int(200);
    const m = new Uint8Array(len);
    m.fill(0xff, 0, 16);
    m[18] = 1 + r.int(6);
    for (let i = 19; i < len; i++) m[i] = r.byte();
    return setLength(m);
  }
  const seed = SEEDS[r.int(SEEDS.length)]!;
  let m = seed.slice();
  const ops = 1 + r.int(4);
  for (let k = 0; k < ops; k++) {
    const op = r.int(6);
    if (op <= 2 && m.length > 19) m[19 + r.int(m.length - 19)] = r.byte(); // body byte
    else if (op === 3 && m.length > 19) m[19 + r.int(m.length - 19)] ^= 1 << r.int(8); // bit flip
    else if (op === 4 && m.length > 20) m = m.slice(0, 19 + r.int(m.length - 19)); // truncate
    else { const ext = new Uint8Array(m.length + 1 + r.int(8)); ext.set(m); for (let i = m.length; i < ext.length; i++) ext[i] = r.byte(); m = ext; }
  }
  if (keepFraming || r.int(4) !== 0) setLength(m);
  else if (r.int(3) === 0) m[r.int(16)] = r.byte(); // marker damage
  else if (r.int(2) === 0) m[18] = r.byte(); // type damage
  else { const l = r.int(2) ? r.int(19) : 4097 + r.int(1000); m[16] = l >> 8; m[17] = l & 255; } // impossible length
  return m;
}

describe('codec fuzz', () => {
  test('100,000 mutated and random messages: only BgpMessageErrors, correct header NOTIFICATIONs, clean UPDATEs re-encode', () => {
    const r = rng(0xb9b);
    const counts = { ok: 0, errors: 0, tolerated: 0 };
    const codes = new Set([1, 2, 3, 5, 6, 7]);
    for (let i = 0; i < 100_000; i++) {
      const m = mutate(r, false);
      try {
        // The header check first, as the session does, then the whole message.
        const len = frameLength(m);
        if (len !== m.length) continue; // the session would wait for more bytes / frame differently
        const msg = decodeMessage(m, { as4: r.int(4) !== 0 });
        counts.ok++;
        if (msg.type === 'update') {
          if (msg.handling !== ErrorHandling.None) { counts.tolerated++; assert.ok(msg.errors.length > 0); continue; }
          const again = decodeMessage(encodeUpdate(msg as UpdateMessage), { as4: true }) as UpdateMessage;
          assert.deepEqual(again.nlri, msg.nlri);
          assert.deepEqual(again.withdrawn, msg.withdrawn);
        }
      } catch (e) {
        if (!(e instanceof BgpMessageError)) throw new Error(`non-protocol error on input ${Buffer.from(m).toString('hex')}: ${String(e)}`);
        assert.ok(codes.has(e.code), `code ${e.code}`);
        counts.errors++;
        // Header damage must map to the RFC 4271 §6.1 subcodes.
        if (m.subarray(0, 16).some((b) => b !== 0xff)) assert.equal(`${e.code}/${e.subcode}`, '1/1');
        else {
          const l = (m[16]! << 8) | m[17]!;
          if (l < 19 || l > 4096) assert.equal(`${e.code}/${e.subcode}`, '1/2');
          else if (m[18]! < 1 || m[18]! > 5) assert.equal(`${e.code}/${e.subcode}`, '1/3');
        }
      }
    }
    assert.ok(counts.errors > 10_000 && counts.ok > 10_000, JSON.stringify(counts));
  });
});

// ---- live session --------------------------------------------------------------------------------------

const log = pino({ level: 'silent' });
let speaker: BgpSpeaker | undefined;
after(async () => { await speaker?.stop({ graceful: false }); });

interface Expect { fatal: boolean; notification?: string }

/** What our speaker must do with this message on an Established session. */
function predict(m: Uint8Array): Expect {
  try {
    frameLength(m);
    const msg = decodeMessage(m, { as4: true });
    if (msg.type === 'open') return { fatal: true, notification: '5/3' };
    if (msg.type === 'notification') return { fatal: true };
    return { fatal: false };
  } catch (e) {
    const err = e as BgpMessageError;
    return { fatal: true, notification: `${err.code}/${err.subcode}` };
  }
}

class RawPeer {
  sock!: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  received: Uint8Array[] = [];

  async connect(port: number): Promise<void> {
    this.sock = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.9' });
    this.sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 19) {
        const len = (this.buf[16]! << 8) | this.buf[17]!;
        if (this.buf.length < len) break;
        this.received.push(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
      }
      this.wake();
    });
    this.sock.on('close', () => { this.closed = true; this.wake(); });
    this.sock.on('error', () => undefined);
    await new Promise<void>((res, rej) => { this.sock.once('connect', res); this.sock.once('error', rej); });
    this.sock.write(encodeOpen({ version: 4, myAs: 64512, holdTime: 90, routerId: '127.0.0.9', capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 64512 }] }));
    this.sock.write(encodeKeepalive());
    await this.until(() => this.received.some((m) => m[18] === 4));
  }

  private wake(): void { for (const w of this.waiters.splice(0)) w(); }

  async until(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('raw peer: timed out');
      // Woken by received data; the 50 ms backstop re-checks conditions on the speaker's state (its RIB).
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  notification(): string | undefined {
    const n = this.received.find((m) => m[18] === 3);
    return n ? `${n[19]}/${n[20]}` : undefined;
  }
}

describe('live session fuzz', () => {
  test('100,000+ messages at an established session: tolerated ones keep it up, fatal ones get the predicted NOTIFICATION', async () => {
    speaker = new BgpSpeaker({
      routerId: '127.0.0.1', asNumber: 64512, listenPort: 0, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'], errorWaitTime: 0.05, initialRouteDeferral: 0,
      peers: [{ name: 'Global_127_0_0_9', address: '127.0.0.9', port: 179, asNumber: 64512, type: 'global', passive: true, rrClient: false, keepOriginalNextHop: false, maxRestartTime: 0 }],
    }, { log });
    await speaker.start();
    const live = speaker;
    const port = speaker.listenPort;
    const r = rng(0x5eed);
    let sent = 0, sessions = 0, fatalChecked = 0;
    const MAX_SESSIONS = 1100;
    while (sent < 100_000) {
      // A batch: tolerated messages, then (while sessions remain in the budget) one fatal message.
      const batch: Uint8Array[] = [];
      let fatal: { m: Uint8Array; e: Expect } | undefined;
      const wantFatal = sessions < MAX_SESSIONS;
      while (batch.length < 2000) {
        const m = mutate(r, r.int(8) !== 0);
        const e = predict(m);
        if (!e.fatal) { batch.push(m); continue; }
        if (!wantFatal || !e.notification) continue;
        // A message whose header announces more bytes than it has would stall framing; skip those.
        const len = (m[16]! << 8) | m[17]!;
        if (m.length >= 19 && len >= 19 && len <= 4096 && len > m.length) continue;
        fatal = { m, e };
        break;
      }
      const p = new RawPeer();
      await p.connect(port);
      sessions++;
      p.sock.write(Buffer.concat(batch));
      sent += batch.length;
      if (fatal) {
        p.sock.write(fatal.m);
        sent++;
        await p.until(() => p.notification() !== undefined || p.closed);
        assert.equal(p.notification(), fatal.e.notification, `message ${Buffer.from(fatal.m).toString('hex')}`);
        fatalChecked++;
        await p.until(() => p.closed);
      } else {
        // No fatal message: the session must still be up. A well-formed UPDATE sent after the batch is handled
        // only after every message before it, so its route in the RIB proves the whole batch was read.
        const marker = `10.78.${sessions >> 8}.${sessions & 255}/32`;
        p.sock.write(encodeUpdate({ type: 'update', withdrawn: [], nlri: [marker], attrs: { origin: 0, asPath: [], nextHop: '127.0.0.9' } }));
        await p.until(() => !!live.rib.best(marker) || p.closed || p.notification() !== undefined);
        assert.equal(p.notification(), undefined, 'tolerated messages must not reset the session');
        assert.equal(p.closed, false);
        p.sock.destroy();
        // Reconnect only once the speaker saw this session go: a second connection while it still counts the
        // first as Established is refused (the peer did not advertise graceful restart), as it should be.
        await p.until(() => p.closed && live.status().peers[0]!.state !== 'Established');
      }
    }
    // The speaker is still healthy: a well-formed route gets in.
    const p = new RawPeer();
    await p.connect(port);
    p.sock.write(encodeUpdate({ type: 'update', withdrawn: [], nlri: ['10.77.0.0/16'], attrs: { origin: 0, asPath: [], nextHop: '127.0.0.9' } }));
    await p.until(() => !!live.rib.best('10.77.0.0/16'));
    assert.ok(speaker.rib.best('10.77.0.0/16'), 'route from a healthy session accepted after the fuzzing');
    p.sock.destroy();
    assert.ok(sent >= 100_000);
    assert.ok(fatalChecked >= 1000, `fatal cases checked: ${fatalChecked}`);
  });
});
