// The BGP part of the malformed-input corpus, run inside a scenario namespace: our speaker (in this process,
// passive towards 127.0.0.9) and a raw peer that sends each malformed message and records the NOTIFICATION
// it gets back and how long that took. Expectations are RFC 4271 §6 (header, OPEN, UPDATE errors), RFC 6608
// (FSM errors) and RFC 7606 (treat-as-withdraw: no reset, the route refused). Prints one JSON document.
import net from 'node:net';
import pino from 'pino';
import { CapCode, encodeKeepalive, encodeOpen, encodeUpdate, frameLength } from '../../src/bgp/codec.ts';
import { BgpSpeaker } from '../../src/bgp/speaker.ts';
import { exitWhenFlushed } from '../../src/exit.ts';

const AS = 64512;
const open = (over: Partial<Parameters<typeof encodeOpen>[0]> = {}) =>
  encodeOpen({ version: 4, myAs: AS, holdTime: 90, routerId: '127.0.0.9', capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: AS }], ...over });
const header = (len: number, type: number, body: number[] = []) => Uint8Array.from([...Array(16).fill(0xff), len >> 8, len & 255, type, ...body]);
const withLength = (m: Uint8Array, len: number) => { const c = m.slice(); c[16] = len >> 8; c[17] = len & 255; return c; };

interface Case { name: string; established: boolean; bytes: Uint8Array; expect: string | null; route?: string }

const goodUpdate = encodeUpdate({ type: 'update', withdrawn: [], nlri: ['10.66.0.0/24'], attrs: { origin: 0, asPath: [], nextHop: '127.0.0.9' } });
const CASES: Case[] = [
  { name: 'marker not all ones', established: true, bytes: (() => { const m = encodeKeepalive().slice(); m[3] = 0; return m; })(), expect: '1/1' },
  { name: 'length 18, below the minimum 19', established: true, bytes: header(18, 4), expect: '1/2' },
  { name: 'length 4097, above the maximum 4096', established: true, bytes: withLength(header(19, 4), 4097), expect: '1/2' },
  { name: 'message type 9', established: true, bytes: header(19, 9), expect: '1/3' },
  { name: 'KEEPALIVE with a body', established: true, bytes: header(20, 4, [0]), expect: '1/2' },
  { name: 'OPEN version 3', established: false, bytes: open({ version: 3 }), expect: '2/1' },
  { name: 'OPEN from AS 65000, configured 64512', established: false, bytes: open({ myAs: 65000, capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 65000 }] }), expect: '2/2' },
  { name: 'OPEN BGP identifier 0.0.0.0', established: false, bytes: open({ routerId: '0.0.0.0' }), expect: '2/3' },
  { name: 'OPEN hold time 2 s', established: false, bytes: open({ holdTime: 2 }), expect: '2/6' },
  { name: 'OPEN shorter than its minimum 29', established: false, bytes: header(21, 1, [4, 0]), expect: '1/2' },
  { name: 'UPDATE before OPEN', established: false, bytes: goodUpdate, expect: '5/1' },
  { name: 'UPDATE withdrawn length past the message', established: true, bytes: (() => { const m = goodUpdate.slice(); m[19] = 0x10; return m; })(), expect: '3/1' },
  { name: 'UPDATE without ORIGIN/AS_PATH/NEXT_HOP (treat-as-withdraw)', established: true,
    bytes: encodeUpdate({ type: 'update', withdrawn: [], nlri: ['10.67.0.0/24'], attrs: {} }), expect: null, route: '10.67.0.0/24' },
  { name: 'OPEN on an Established session', established: true, bytes: open(), expect: '5/3' },
];

class RawPeer {
  readonly sock: net.Socket;
  private buf = Buffer.alloc(0);
  received: Uint8Array[] = [];
  closed = false;
  constructor(port: number) {
    this.sock = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.9' });
    this.sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      // The speaker's own framing (a malformed header from it would throw: a bug worth seeing).
      for (let len = frameLength(this.buf); len > 0; len = frameLength(this.buf)) {
        this.received.push(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
      }
    });
    this.sock.on('close', () => { this.closed = true; });
    this.sock.on('error', () => undefined);
  }
  notification(): string | undefined { const n = this.received.find((m) => m[18] === 3); return n ? `${n[19]}/${n[20]}` : undefined; }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) return false; await new Promise((r) => setTimeout(r, 5)); }
  return true;
}

const speaker = new BgpSpeaker({
  routerId: '127.0.0.1', asNumber: AS, listenPort: 0, listenAddress: '127.0.0.1', exports: ['10.244.1.0/26'], errorWaitTime: 0.05, initialRouteDeferral: 0,
  peers: [{ name: 'Global_127_0_0_9', address: '127.0.0.9', port: 179, asNumber: AS, type: 'global', passive: true, rrClient: false, keepOriginalNextHop: false, maxRestartTime: 0 }],
}, { log: pino({ level: 'silent' }) });
await speaker.start();
const results = [];
for (const c of CASES) {
  await until(() => speaker.status().peers[0]!.state !== 'Established', 10_000);
  const p = new RawPeer(speaker.listenPort);
  await until(() => p.sock.readyState === 'open', 10_000);
  if (c.established) {
    p.sock.write(open());
    p.sock.write(encodeKeepalive());
    await until(() => speaker.status().peers[0]!.state === 'Established', 10_000);
  }
  const t0 = performance.now();
  p.sock.write(c.bytes);
  let got: string | null;
  if (c.expect) {
    await until(() => p.notification() !== undefined || p.closed, 10_000);
    got = p.notification() ?? (p.closed ? 'closed without NOTIFICATION' : 'no answer in 10 s');
  } else {
    // Tolerated: a good UPDATE after it must be taken (so the bad one was read), the bad route must not be.
    p.sock.write(goodUpdate);
    await until(() => !!speaker.rib.best('10.66.0.0/24') || p.closed, 10_000);
    got = p.notification() ?? (p.closed ? 'closed' : speaker.rib.best(c.route!) ? 'route accepted' : null);
  }
  const ms = performance.now() - t0;
  results.push({ name: c.name, expect: c.expect ?? 'no NOTIFICATION, route refused', got: got ?? 'no NOTIFICATION, route refused', ok: got === c.expect, ms: Math.round(ms * 10) / 10 });
  p.sock.destroy();
}
const alive = speaker.status().peers.length === 1;
await speaker.stop({ graceful: false });
console.log(JSON.stringify({ results, maxRssKiB: process.resourceUsage().maxRSS, speakerAlive: alive }));
exitWhenFlushed(0);
