// Where a TCP MD5 password comes from: BGPPeer `password` and BGPConfiguration `nodeMeshPassword` name a secret
// (config.ts, as confd), the node reads it from <secrets dir>/<name>/<key> (secrets.ts), and the struct the
// kernel takes (md5.ts) is laid out as linux/tcp.h says.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { desiredBgp, type BgpInputs } from '../../src/bgp/config.ts';
import { readPassword, resolvePasswords } from '../../src/bgp/secrets.ts';
import { sockaddr } from '../../src/bgp/md5.ts';
import { sessionSignature } from '../../src/bgp/peer.ts';
import type { Resource } from '../../src/api/resource.ts';

const r = (kind: string, name: string, spec: any): Resource => ({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec });
const node = (name: string, ip: string) => r('Node', name, { bgp: { ipv4Address: `${ip}/24` } });
const inputs = (over: Partial<BgpInputs>): BgpInputs => ({
  nodeName: 'node01', nodes: [node('node01', '172.17.0.41'), node('node02', '172.17.0.42')],
  bgpConfigurations: [], bgpPeers: [], ipPools: [], blocks: [], affinities: [], ...over,
});

const dir = mkdtempSync(path.join(tmpdir(), 'tabby-md5-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('which secret a peering uses (confd)', () => {
  test('BGPPeer password goes to its peerings; nodeMeshPassword to the mesh; none otherwise', () => {
    const d = desiredBgp(inputs({
      bgpConfigurations: [r('BGPConfiguration', 'default', { nodeMeshPassword: { secretKeyRef: { name: 'mesh', key: 'pw' } } })],
      bgpPeers: [
        r('BGPPeer', 'tor', { peerIP: '10.99.0.1', asNumber: 65001, password: { secretKeyRef: { name: 'bgp-secrets', key: 'tor' } } }),
        r('BGPPeer', 'plain', { peerIP: '10.99.0.2', asNumber: 65002 }),
      ],
    }));
    const by = new Map(d.config!.peers.map((p) => [p.address, p.passwordSecret]));
    assert.deepEqual(by.get('10.99.0.1'), { name: 'bgp-secrets', key: 'tor' });
    assert.equal(by.get('10.99.0.2'), undefined);
    assert.deepEqual(by.get('172.17.0.42'), { name: 'mesh', key: 'pw' });
    assert.equal(desiredBgp(inputs({})).config!.peers[0]!.passwordSecret, undefined, 'mesh without nodeMeshPassword');
  });
});

describe('reading the secret files', () => {
  mkdirSync(path.join(dir, 'bgp-secrets'));
  writeFileSync(path.join(dir, 'bgp-secrets', 'tor'), 'exact bytes\n');
  writeFileSync(path.join(dir, 'bgp-secrets', 'long'), 'x'.repeat(81));
  writeFileSync(path.join(dir, 'bgp-secrets', 'max'), 'y'.repeat(80));
  writeFileSync(path.join(dir, 'bgp-secrets', 'empty'), '');

  test('the file\'s bytes are the key, as a mounted Secret\'s (a trailing newline is part of it)', () => {
    assert.deepEqual(readPassword(dir, { name: 'bgp-secrets', key: 'tor' }), { password: 'exact bytes\n' });
    assert.deepEqual(readPassword(dir, { name: 'bgp-secrets', key: 'max' }), { password: 'y'.repeat(80) });
  });

  test('missing, empty, too long (TCP_MD5SIG_MAXKEYLEN 80) and path-like references are errors naming the secret', () => {
    assert.match((readPassword(dir, { name: 'bgp-secrets', key: 'nope' }) as { error: string }).error, /^secret bgp-secrets does not have key nope \(no file .*bgp-secrets\/nope\)$/);
    assert.match((readPassword(dir, { name: 'other', key: 'tor' }) as { error: string }).error, /^secret other does not have key tor/);
    assert.match((readPassword(dir, { name: 'bgp-secrets', key: 'long' }) as { error: string }).error, /is 81 bytes; a TCP MD5 key is at most 80/);
    assert.match((readPassword(dir, { name: 'bgp-secrets', key: 'empty' }) as { error: string }).error, /is empty/);
    assert.match((readPassword(dir, { name: 'bgp-secrets', key: '..' }) as { error: string }).error, /invalid secretKeyRef/);
    assert.match((readPassword(dir, { name: '../etc', key: 'passwd' }) as { error: string }).error, /invalid secretKeyRef/);
  });

  test('resolvePasswords: the key or the error per peer; a changed key changes the session signature (restart), the digest not the key', () => {
    const base = { name: 'Global_10_99_0_1', address: '10.99.0.1', port: 179, asNumber: 65001, type: 'global' as const, passive: false, rrClient: false, keepOriginalNextHop: false, maxRestartTime: 120 };
    const cfg = resolvePasswords({ routerId: '1.1.1.1', asNumber: 64512, listenPort: 179, exports: [], peers: [
      { ...base, passwordSecret: { name: 'bgp-secrets', key: 'tor' } },
      { ...base, address: '10.99.0.2', passwordSecret: { name: 'bgp-secrets', key: 'nope' } },
      { ...base, address: '10.99.0.3' },
    ] }, dir);
    assert.equal(cfg.peers[0]!.password, 'exact bytes\n');
    assert.match(cfg.peers[1]!.passwordError!, /^Can't read password: secret bgp-secrets does not have key nope/);
    assert.equal(cfg.peers[1]!.password, undefined);
    assert.equal(cfg.peers[2]!.password, undefined);
    const sig = sessionSignature(cfg.peers[0]!);
    assert.notEqual(sig, sessionSignature({ ...cfg.peers[0]!, password: 'other' }));
    assert.notEqual(sessionSignature(base), sessionSignature({ ...base, passwordError: 'x' }));
    assert.ok(!sig.includes('exact bytes'), 'the key itself stays out of the signature');
  });
});

describe('struct sockaddr for TCP_MD5SIG', () => {
  test('IPv4, IPv6, and IPv4 on a dual-stack socket as ::ffff:a.b.c.d', () => {
    assert.equal(sockaddr('10.1.2.3', 179, 4).toString('hex'), '0200' + '00b3' + '0a010203' + '00'.repeat(8));
    assert.equal(sockaddr('fd91::2', 179, 6).toString('hex'), '0a00' + '00b3' + '00000000' + 'fd910000000000000000000000000002' + '00000000');
    assert.equal(sockaddr('10.1.2.3', 0, 6).toString('hex'), '0a00' + '0000' + '00000000' + '00000000000000000000ffff0a010203' + '00000000');
  });
});
