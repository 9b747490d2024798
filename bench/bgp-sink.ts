// The null-sink BGP target of bench/bgp.ts: the smallest thing that takes a feed. It dials the feeder,
// completes OPEN/KEEPALIVE (4-octet AS, IPv4 unicast), counts the IPv4 NLRI of every UPDATE and keeps
// nothing. Its load time is the feeder's own floor: no target can take the table faster than this.
// Asked on stdin (one line "?"), it answers "<established 0|1> <prefixes counted>".
//   ip netns exec NS node --import tsx bench/bgp-sink.ts FEEDER_IP LOCAL_IP MY_AS
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const [feeder, local, asText] = process.argv.slice(2);
const myAs = Number(asText);
let established = false;
let prefixes = 0;

function message(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(19, 0xff);
  h.writeUInt16BE(19 + body.length, 16);
  h[18] = type;
  return Buffer.concat([h, body]);
}

function open(): Buffer {
  const caps = Buffer.from([1, 4, 0, 1, 0, 1, 65, 4, (myAs >>> 24) & 255, (myAs >>> 16) & 255, (myAs >>> 8) & 255, myAs & 255]);
  const b = Buffer.alloc(10);
  b[0] = 4;
  b.writeUInt16BE(myAs > 0xffff ? 23456 : myAs, 1);
  b.writeUInt16BE(90, 3);
  Buffer.from(local!.split('.').map(Number)).copy(b, 5);
  b[9] = caps.length + 2;
  return message(1, Buffer.concat([b, Buffer.from([2, caps.length]), caps]));
}

/** IPv4 NLRI of an UPDATE body: after withdrawn routes and path attributes, prefix-length + bytes each. */
function countNlri(body: Buffer): number {
  const wl = body.readUInt16BE(0);
  const al = body.readUInt16BE(2 + wl);
  let i = 4 + wl + al, n = 0;
  while (i < body.length) { i += 1 + Math.ceil(body[i]! / 8); n++; }
  return n;
}

const sock = connect({ host: feeder!, port: 179, localAddress: local });
let buf: Buffer = Buffer.alloc(0);
sock.on('connect', () => sock.write(open()));
sock.on('data', (d: Buffer) => {
  buf = buf.length ? Buffer.concat([buf, d]) : d;
  while (buf.length >= 19) {
    const len = buf.readUInt16BE(16);
    if (buf.length < len) break;
    const type = buf[18]!, body = buf.subarray(19, len);
    if (type === 1) sock.write(message(4, Buffer.alloc(0)));
    else if (type === 4) established = true;
    else if (type === 2) prefixes += countNlri(body);
    else if (type === 3) { console.error(`NOTIFICATION ${body[0]}/${body[1]}`); process.exit(1); }
    buf = buf.subarray(len);
  }
});
sock.on('error', (e) => { console.error(String(e)); process.exit(1); });
sock.on('close', () => process.exit(0));
setInterval(() => { if (established) sock.write(message(4, Buffer.alloc(0))); }, 30_000);
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${established ? 1 : 0} ${prefixes}\n`));
