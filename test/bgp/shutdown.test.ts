// RFC 8203 / RFC 9003 shutdown communication in Cease NOTIFICATIONs (Administrative Shutdown and Reset):
// decoding with malformed cases, and a live session whose peer sends one — the text reaches lastError,
// `node status` and the log.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import { CapCode, CeaseSub, decodeMessage, encodeKeepalive, encodeNotification, encodeOpen, ErrCode, frameLength } from '../../src/bgp/codec.ts';
import {
  decodeShutdownCommunication, describeShutdownCommunication, encodeShutdownCommunication, SHUTDOWN_COMMUNICATION_MAX_OCTETS,
} from '../../src/bgp/codec-shutdown.ts';
import { BgpFsm } from '../../src/bgp/fsm.ts';
import { BgpSpeaker } from '../../src/bgp/speaker.ts';
import { formatNodeStatus, formatPeerDetail } from '../../src/bgp/status.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('shutdown communication codec', () => {
  test('round trip through a whole NOTIFICATION, for Administrative Shutdown and Reset', () => {
    for (const subcode of [CeaseSub.ADMINISTRATIVE_SHUTDOWN, CeaseSub.ADMINISTRATIVE_RESET]) {
      for (const text of ['maintenance window, back at 14:00 UTC', 'Wartung läuft 🛠', 'x']) {
        const wire = encodeNotification(ErrCode.CEASE, subcode, encodeShutdownCommunication(text));
        const m = decodeMessage(wire);
        assert.equal(m.type, 'notification');
        if (m.type !== 'notification') return;
        assert.deepEqual(decodeShutdownCommunication(m.code, m.subcode, m.data), { kind: 'message', text });
      }
    }
  });
  test('RFC 9003: up to 255 octets; longer text is cut at a character boundary', () => {
    const max = 'a'.repeat(SHUTDOWN_COMMUNICATION_MAX_OCTETS);
    assert.deepEqual(decodeShutdownCommunication(6, 2, encodeShutdownCommunication(max)), { kind: 'message', text: max });
    const long = 'é'.repeat(200); // 400 octets
    const enc = encodeShutdownCommunication(long);
    assert.equal(enc[0], 254); // 127 two-octet characters; the 128th would cross 255
    assert.deepEqual(decodeShutdownCommunication(6, 2, enc), { kind: 'message', text: 'é'.repeat(127) });
  });
  test('nothing to show: other codes and subcodes, no data, length 0', () => {
    const data = encodeShutdownCommunication('hello');
    assert.equal(decodeShutdownCommunication(6, CeaseSub.PEER_DECONFIGURED, data), undefined);
    assert.equal(decodeShutdownCommunication(ErrCode.FSM, 2, data), undefined);
    assert.equal(decodeShutdownCommunication(6, 2, new Uint8Array()), undefined);
    assert.equal(decodeShutdownCommunication(6, 2, bytes(0)), undefined);
  });
  test('malformed: length past the data, invalid UTF-8 — reported with a hex dump, never thrown', () => {
    assert.deepEqual(decodeShutdownCommunication(6, 2, bytes(10, 0x61, 0x62)),
      { kind: 'malformed', problem: 'length 10 exceeds the 2 octets that follow it', hex: '0a6162' });
    assert.deepEqual(decodeShutdownCommunication(6, 4, bytes(2, 0xc3, 0x28)), { kind: 'malformed', problem: 'not valid UTF-8', hex: 'c328' });
    assert.deepEqual(decodeShutdownCommunication(6, 2, bytes(1, 0xff)), { kind: 'malformed', problem: 'not valid UTF-8', hex: 'ff' });
    assert.equal(describeShutdownCommunication(decodeShutdownCommunication(6, 2, bytes(1, 0xff))), ' (malformed shutdown communication: not valid UTF-8; data 0xff)');
    // Trailing octets after the message are not part of it.
    assert.deepEqual(decodeShutdownCommunication(6, 2, bytes(2, 0x68, 0x69, 0x00)), { kind: 'message', text: 'hi' });
  });
  test('the FSM puts the communication in lastError and the Idle info; control characters stay quoted', () => {
    const f = new BgpFsm({ localAs: 64512, routerId: '10.0.0.1', peerAs: 64512, holdTime: 90, connectRetryTime: 5, passive: false,
      families: [{ afi: 1, safi: 1 }], gracefulRestart: { restartTime: 120, restarting: false, forwardingPreserved: true } });
    f.handle({ type: 'ManualStart' });
    f.handle({ type: 'TcpConnectionSucceeded' });
    f.handle({ type: 'NotifMsg', msg: { type: 'notification', code: 6, subcode: 2, data: encodeShutdownCommunication('down for\nupgrade') } });
    assert.equal(f.lastError, 'Received: Cease/Administrative Shutdown "down for\\nupgrade"');
  });
});

describe('a live session ended with a shutdown communication', () => {
  const speakers: BgpSpeaker[] = [];
  after(async () => { for (const s of speakers) await s.stop({ graceful: false }); });

  test('lastError, node status and the log carry the text', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
    // The fake peer listens; our speaker connects to it (active side).
    let sock: net.Socket | undefined;
    const server = net.createServer((s) => { sock = s; });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const speaker = new BgpSpeaker({
      routerId: '127.0.0.3', asNumber: 64512, listenPort: 0, listenAddress: '127.0.0.3', exports: [],
      connectRetryTime: 1, errorWaitTime: 30, initialRouteDeferral: 0.2,
      peers: [{ name: 'Global_127_0_0_1', address: '127.0.0.1', port, asNumber: 64512, type: 'global', passive: false, rrClient: false,
        keepOriginalNextHop: false, sourceAddress: '127.0.0.3', maxRestartTime: 3 }],
    }, { log, onRoutes: () => {} });
    speakers.push(speaker);
    await speaker.start();
    try {
      const deadline = Date.now() + 10_000;
      while (!sock && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(sock, 'speaker did not connect');
      // Minimal peer: read our OPEN, answer OPEN + KEEPALIVE, wait for Established, then shut down with a message.
      let buf = Buffer.alloc(0);
      sock!.on('data', (d) => { buf = Buffer.concat([buf, d]); });
      sock!.write(encodeOpen({ version: 4, myAs: 64512, holdTime: 90, routerId: '127.0.0.1',
        capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 64512 }, { code: CapCode.MULTIPROTOCOL, afi: 1, safi: 1 }] }));
      sock!.write(encodeKeepalive());
      const established = () => speaker.status().peers[0]?.state === 'Established';
      while (!established() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(established(), `not Established: ${JSON.stringify(speaker.status().peers[0])}`);
      assert.ok(frameLength(buf) > 0);
      sock!.write(encodeNotification(ErrCode.CEASE, CeaseSub.ADMINISTRATIVE_SHUTDOWN, encodeShutdownCommunication('planned maintenance, ticket 4711')));
      const down = () => speaker.status().peers[0]?.lastError?.includes('ticket 4711');
      while (!down() && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 20));
      const st = speaker.status();
      assert.equal(st.peers[0]!.lastError, 'Received: Cease/Administrative Shutdown "planned maintenance, ticket 4711"');
      assert.match(formatNodeStatus(st), /Idle Received: Cease\/Administrative Shutdown "planned maintenance, ticket 4711"/);
      assert.match(formatPeerDetail(st), /Last error: +Received: Cease\/Administrative Shutdown "planned maintenance, ticket 4711"/);
      assert.ok(lines.some((l) => /BGP session down/.test(l) && l.includes('planned maintenance, ticket 4711')), lines.join(''));
    } finally {
      sock?.destroy();
      server.close();
    }
  });
});
