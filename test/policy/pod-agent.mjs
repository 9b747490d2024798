// A tiny agnhost for policy tests, run inside each pod's network namespace (plain JS: starts fast).
// Serves TCP (echo) and UDP (echo) on the ports given in argv, and answers probe commands read as JSON
// lines on stdin, writing one JSON line per command to stdout:
//   {id, op:'probe', host, port, proto:'tcp'|'udp', timeoutMs}  → {id, ok}
//   {id, op:'hold', host, port, timeoutMs}                       → {id, ok}    (keeps a TCP connection open)
//   {id, op:'held', timeoutMs}                                   → {id, ok}    (round trip on the held connection)
//   {id, op:'spoof', src, host, port, count}                     → {id, ok}    (UDP datagrams from a bound source)
//   {id, op:'burst', host, port, count}                          → {id, ok, ms} (sequential connects, timed here)
//   {id, op:'seen'}                                              → {id, sources: [...]} (sources of 'spoof' datagrams received)
import net from 'node:net';
import dgram from 'node:dgram';
import readline from 'node:readline';

const ports = process.argv.slice(2).map(Number);
const seen = new Set();

for (const port of ports) {
  net.createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(port, '0.0.0.0');
  const u = dgram.createSocket('udp4');
  u.on('message', (msg, rinfo) => {
    if (msg.toString() === 'spoof') seen.add(rinfo.address);
    u.send(msg, rinfo.port, rinfo.address, () => {});
  });
  u.bind(port, '0.0.0.0');
}

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

function probeTcp(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve(false); }, timeoutMs);
    s.on('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.on('error', () => { clearTimeout(t); resolve(false); });
  });
}

function probeUdp(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const u = dgram.createSocket('udp4');
    const done = (ok) => { clearTimeout(t); try { u.close(); } catch {} resolve(ok); };
    const t = setTimeout(() => done(false), timeoutMs);
    u.on('message', () => done(true));
    u.on('error', () => done(false));
    u.send('probe', port, host);
  });
}

let held;
function hold(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve(false); }, timeoutMs);
    s.on('connect', () => { clearTimeout(t); held = s; resolve(true); });
    s.on('error', () => { clearTimeout(t); resolve(false); });
  });
}

function roundTrip(timeoutMs) {
  return new Promise((resolve) => {
    if (!held || held.destroyed) return resolve(false);
    const onData = () => { clearTimeout(t); held.off('data', onData); resolve(true); };
    const t = setTimeout(() => { held.off('data', onData); resolve(false); }, timeoutMs);
    held.on('data', onData);
    held.write('x');
  });
}

function spoof(src, host, port, count) {
  return new Promise((resolve) => {
    const u = dgram.createSocket('udp4');
    u.on('error', () => { try { u.close(); } catch {} resolve(false); });
    u.bind(0, src, () => {
      let left = count;
      const next = () => {
        if (left-- <= 0) { u.close(); return resolve(true); }
        u.send('spoof', port, host, () => setTimeout(next, 20));
      };
      next();
    });
  });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let c;
  try { c = JSON.parse(line); } catch { return; }
  switch (c.op) {
    case 'probe': {
      const ok = c.proto === 'udp' ? await probeUdp(c.host, c.port, c.timeoutMs) : await probeTcp(c.host, c.port, c.timeoutMs);
      return out({ id: c.id, ok });
    }
    case 'hold': return out({ id: c.id, ok: await hold(c.host, c.port, c.timeoutMs) });
    case 'held': return out({ id: c.id, ok: await roundTrip(c.timeoutMs) });
    case 'spoof': return out({ id: c.id, ok: await spoof(c.src, c.host, c.port, c.count ?? 5) });
    case 'seen': return out({ id: c.id, sources: [...seen] });
    case 'burst': { // sequential TCP connects, timed inside the pod: a connection-rate measurement
      const t0 = performance.now();
      let ok = 0;
      for (let i = 0; i < c.count; i++) if (await probeTcp(c.host, c.port, c.timeoutMs ?? 1000)) ok++;
      return out({ id: c.id, ok, ms: performance.now() - t0 });
    }
    case 'ready': return out({ id: c.id, ok: true });
    default: return out({ id: c.id, error: `unknown op ${c.op}` });
  }
});
rl.on('close', () => process.exit(0));
