// Certificates for a lab's TLS etcd, made with openssl at `lab up` (node:crypto cannot issue X.509): a CA,
// one certificate per member (its lab IP and 127.0.0.1 as SANs, usable both as a server and as a peer
// client), and one client certificate for everything else in the lab (agents, CNI plugin, `tabby`).
// Every file is 0600 in <lab dir>/etcd-pki/: the whole lab runs as root, nothing else needs to read them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mustRunSync } from '../exec.ts';
import type { LabEtcdTls } from './state.ts';

export interface MemberCert { certFile: string; keyFile: string }

export interface EtcdPki {
  dir: string;
  /** CA, client certificate and key: what clients are configured with. */
  client: LabEtcdTls;
  /** Per member, in the order given. */
  members: MemberCert[];
}

const DAYS = '3650';
/** P-256 keys: generated in milliseconds (RSA would take a noticeable part of `lab up`), fine for gRPC and etcd. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  mustRunSync(['openssl', ...args], { timeoutMs: 30_000 });
}

/** A key and a certificate signed by the lab CA, with the given X.509v3 extensions. */
function issue(dir: string, base: string, subject: string, extensions: string[]): MemberCert {
  const keyFile = path.join(dir, `${base}.key`);
  const certFile = path.join(dir, `${base}.crt`);
  const csr = path.join(dir, `${base}.csr`);
  const ext = path.join(dir, `${base}.ext`);
  fs.writeFileSync(ext, `${extensions.join('\n')}\n`, { mode: 0o600 });
  openssl(['req', ...NEW_KEY, '-keyout', keyFile, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', path.join(dir, 'ca.crt'), '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial',
    '-out', certFile, '-days', DAYS, '-extfile', ext]);
  fs.rmSync(csr, { force: true });
  fs.rmSync(ext, { force: true });
  return { certFile, keyFile };
}

/** Creates the lab's etcd PKI in `dir` (replacing any earlier one) for members at the given IPs. */
export function generateEtcdPki(dir: string, labName: string, members: { name: string; ip: string }[]): EtcdPki {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(['req', '-x509', ...NEW_KEY, '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.crt'),
    '-days', DAYS, '-subj', `/CN=${labName}-etcd-ca`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const memberCerts = members.map((m) => issue(dir, `member-${m.name}`, `/CN=${m.name}`, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    // serverAuth for clients, clientAuth because a member dials its peers with the same certificate.
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=IP:${m.ip},IP:127.0.0.1,DNS:localhost`,
  ]));
  const client = issue(dir, 'client', `/CN=${labName}-client`, [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth',
  ]);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o600);
  return { dir, client: { caFile: path.join(dir, 'ca.crt'), certFile: client.certFile, keyFile: client.keyFile }, members: memberCerts };
}
