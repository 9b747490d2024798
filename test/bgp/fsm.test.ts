import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BgpFsm, type FsmAction, type FsmConfig } from '../../src/bgp/fsm.ts';
import { CapCode, decodeMessage, type OpenMessage, type UpdateMessage } from '../../src/bgp/codec.ts';

const cfg = (over: Partial<FsmConfig> = {}): FsmConfig => ({
  localAs: 64512, routerId: '10.0.0.1', peerAs: 64512, holdTime: 90, connectRetryTime: 5, passive: false,
  families: [{ afi: 1, safi: 1 }], gracefulRestart: { restartTime: 120, restarting: false, forwardingPreserved: true }, ...over,
});

const open = (over: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 'open', version: 4, myAs: 64512, holdTime: 30, routerId: '10.0.0.2',
  capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 64512 }, { code: CapCode.MULTIPROTOCOL, afi: 1, safi: 1 }], ...over,
});

const types = (a: FsmAction[]) => a.map((x) => x.type);
function sentNotification(a: FsmAction[]): string | undefined {
  const s = a.find((x) => x.type === 'send' && x.data[18] === 3) as { data: Uint8Array } | undefined;
  if (!s) return undefined;
  const m = decodeMessage(s.data);
  return m.type === 'notification' ? `${m.code}/${m.subcode}` : undefined;
}

function toEstablished(f: BgpFsm): void {
  f.handle({ type: 'ManualStart' });
  f.handle({ type: 'TcpConnectionSucceeded' });
  f.handle({ type: 'BgpOpen', msg: open() });
  f.handle({ type: 'KeepAliveMsg' });
  assert.equal(f.state, 'Established');
}

describe('FSM', () => {
  test('active side: Idle → Connect → OpenSent → OpenConfirm → Established', () => {
    const f = new BgpFsm(cfg());
    let a = f.handle({ type: 'ManualStart' });
    assert.equal(f.state, 'Connect');
    assert.deepEqual(types(a), ['state', 'connect', 'startTimer']);
    a = f.handle({ type: 'TcpConnectionSucceeded' });
    assert.equal(f.state, 'OpenSent');
    const sent = a.find((x) => x.type === 'send') as { data: Uint8Array };
    const o = decodeMessage(sent.data) as OpenMessage;
    assert.equal(o.routerId, '10.0.0.1');
    assert.ok(o.capabilities.some((c) => c.code === CapCode.GRACEFUL_RESTART));
    a = f.handle({ type: 'BgpOpen', msg: open() });
    assert.equal(f.state, 'OpenConfirm');
    assert.equal(f.negotiated!.holdTime, 30, 'hold time is the smaller of the two');
    assert.equal(f.negotiated!.keepaliveTime, 10);
    assert.ok(a.some((x) => x.type === 'startTimer' && x.timer === 'keepalive' && x.seconds === 10));
    a = f.handle({ type: 'KeepAliveMsg' });
    assert.equal(f.state, 'Established');
    assert.ok(types(a).includes('established'));
  });

  test('passive side waits in Active and never dials', () => {
    const f = new BgpFsm(cfg({ passive: true }));
    assert.deepEqual(types(f.handle({ type: 'ManualStart' })), ['state']);
    assert.equal(f.state, 'Active');
    assert.deepEqual(f.handle({ type: 'ConnectRetryTimerExpires' }), []);
    f.handle({ type: 'TcpConnectionConfirmed' });
    assert.equal(f.state, 'OpenSent');
  });

  test('connection refused → Active with BIRD-style info, retry → Connect', () => {
    const f = new BgpFsm(cfg());
    f.handle({ type: 'ManualStart' });
    f.handle({ type: 'TcpConnectionFails', reason: 'Connection refused' });
    assert.equal(f.state, 'Active');
    assert.equal(f.info, 'Active Socket: Connection refused');
    const a = f.handle({ type: 'ConnectRetryTimerExpires' });
    assert.equal(f.state, 'Connect');
    assert.ok(types(a).includes('connect'));
  });

  test('a refused connection is retried after 0.25 s, doubling to ConnectRetryTime; other failures wait it all; success starts over', () => {
    const f = new BgpFsm(cfg({ connectRetryTime: 5 }));
    const retryAfter = (a: FsmAction[]) => (a.find((x) => x.type === 'startTimer' && x.timer === 'connectRetry') as { seconds: number } | undefined)?.seconds;
    f.handle({ type: 'ManualStart' });
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      waits.push(retryAfter(f.handle({ type: 'TcpConnectionFails', reason: 'Connection refused', refused: true })));
      assert.equal(f.state, 'Active');
      f.handle({ type: 'ConnectRetryTimerExpires' });
      assert.equal(f.state, 'Connect');
    }
    assert.deepEqual(waits, [0.25, 0.5, 1, 2, 4, 5, 5]);
    assert.equal(retryAfter(f.handle({ type: 'TcpConnectionFails', reason: 'Connection timed out' })), 5, 'not refused: the whole ConnectRetryTime');
    f.handle({ type: 'ConnectRetryTimerExpires' });
    f.handle({ type: 'TcpConnectionSucceeded' });
    assert.equal(f.state, 'OpenSent');
    f.handle({ type: 'TcpConnectionFails', reason: 'Connection reset by peer' });
    f.handle({ type: 'ConnectRetryTimerExpires' });
    assert.equal(retryAfter(f.handle({ type: 'TcpConnectionFails', reason: 'Connection refused', refused: true })), 0.25, 'a connection that succeeded resets the back-off');
  });

  const badOpens: [string, Partial<OpenMessage>, Partial<FsmConfig>, string][] = [
    ['version 3', { version: 3 }, {}, '2/1'],
    ['wrong peer AS', { myAs: 65000, capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 65000 }] }, {}, '2/2'],
    ['router id 0.0.0.0', { routerId: '0.0.0.0' }, {}, '2/3'],
    ['iBGP peer with our router id', { routerId: '10.0.0.1' }, {}, '2/3'],
    ['hold time 2', { holdTime: 2 }, {}, '2/6'],
  ];
  for (const [name, o, c, want] of badOpens) {
    test(`OPEN error: ${name} → NOTIFICATION ${want}, back to Idle`, () => {
      const f = new BgpFsm(cfg(c));
      f.handle({ type: 'ManualStart' });
      f.handle({ type: 'TcpConnectionSucceeded' });
      const a = f.handle({ type: 'BgpOpen', msg: open(o) });
      assert.equal(sentNotification(a), want);
      assert.equal(f.state, 'Idle');
      assert.ok(types(a).includes('close'));
      assert.match(f.lastError!, /^Sent: OPEN Message Error/);
    });
  }

  test('4-octet AS from the capability, AS_TRANS in My AS', () => {
    const f = new BgpFsm(cfg({ peerAs: 4200000001 }));
    f.handle({ type: 'ManualStart' });
    f.handle({ type: 'TcpConnectionSucceeded' });
    f.handle({ type: 'BgpOpen', msg: open({ myAs: 23456, capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 4200000001 }] }) });
    assert.equal(f.state, 'OpenConfirm');
    assert.equal(f.negotiated!.peerAs, 4200000001);
    assert.deepEqual(f.negotiated!.families, [{ afi: 1, safi: 1 }]);
  });

  test('unexpected messages are FSM errors with RFC 6608 subcodes', () => {
    const f = new BgpFsm(cfg());
    f.handle({ type: 'ManualStart' });
    f.handle({ type: 'TcpConnectionSucceeded' });
    assert.equal(sentNotification(f.handle({ type: 'KeepAliveMsg' })), '5/1');
    const g = new BgpFsm(cfg());
    g.handle({ type: 'ManualStart' }); g.handle({ type: 'TcpConnectionSucceeded' }); g.handle({ type: 'BgpOpen', msg: open() });
    assert.equal(sentNotification(g.handle({ type: 'UpdateMsg', msg: {} as UpdateMessage })), '5/2');
    const h = new BgpFsm(cfg());
    toEstablished(h);
    assert.equal(sentNotification(h.handle({ type: 'BgpOpen', msg: open() })), '5/3');
  });

  test('hold timer expiry sends 4/0; keepalive timer sends KEEPALIVE', () => {
    const f = new BgpFsm(cfg());
    toEstablished(f);
    const k = f.handle({ type: 'KeepaliveTimerExpires' });
    assert.ok(k.some((x) => x.type === 'send' && x.data[18] === 4));
    const a = f.handle({ type: 'HoldTimerExpires' });
    assert.equal(sentNotification(a), '4/0');
    const down = a.find((x) => x.type === 'down') as { graceful: boolean; wasEstablished: boolean };
    assert.equal(down.graceful, false);
    assert.equal(down.wasEstablished, true);
  });

  test('TCP loss in Established is a graceful down (graceful restart applies); NOTIFICATION is not', () => {
    const f = new BgpFsm(cfg());
    toEstablished(f);
    const a = f.handle({ type: 'TcpConnectionFails', reason: 'Connection reset by peer' });
    assert.deepEqual((a.find((x) => x.type === 'down') as { graceful: boolean }).graceful, true);
    const g = new BgpFsm(cfg());
    toEstablished(g);
    const b = g.handle({ type: 'NotifMsg', msg: { type: 'notification', code: 6, subcode: 2, data: new Uint8Array() } });
    assert.equal((b.find((x) => x.type === 'down') as { graceful: boolean }).graceful, false);
    assert.equal(g.lastError, 'Received: Cease/Administrative Shutdown');
  });

  test('ManualStop with notify sends Cease; without, just closes', () => {
    const f = new BgpFsm(cfg());
    toEstablished(f);
    assert.equal(sentNotification(f.handle({ type: 'ManualStop', notify: { subcode: 3 } })), '6/3');
    const g = new BgpFsm(cfg());
    toEstablished(g);
    const a = g.handle({ type: 'ManualStop' });
    assert.equal(sentNotification(a), undefined);
    assert.ok(types(a).includes('close'));
  });

  test('UPDATE in Established restarts the hold timer and is delivered', () => {
    const f = new BgpFsm(cfg());
    toEstablished(f);
    const a = f.handle({ type: 'UpdateMsg', msg: { type: 'update' } as UpdateMessage });
    assert.deepEqual(types(a), ['startTimer', 'update']);
  });
});
