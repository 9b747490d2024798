// The restarting side of the BGP flap scenario, run inside its namespace: our speaker with the given config,
// stopped gracefully (the TCP connection just closes, no NOTIFICATION — what a crash or a restart of the agent
// looks like to the peer) and started again, `flaps` times. Each time it waits until its session is
// Established and its End-of-RIB has gone out, then prints {"flap": i, "establishMs": …} on stdout.
//   bgp-flapper.ts <speaker config JSON file> <flaps> <settle ms> [graceful|cease] [max down ms]
// Between stop and start the speaker stays down for a random 0..max down ms (default 300).
// `cease` stops with Cease/Administrative Shutdown instead: the peer must drop the routes (the control case).
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { BgpSpeaker, type SpeakerConfig } from '../../src/bgp/speaker.ts';

const [configFile, flapsText, settleText, mode, maxDownText] = process.argv.slice(2);
const maxDownMs = Number(maxDownText ?? 300);
if (!configFile || !flapsText) { process.stderr.write('usage: bgp-flapper.ts <config.json> <flaps> [settle ms]\n'); process.exit(2); }
const cfg = JSON.parse(readFileSync(configFile, 'utf8')) as SpeakerConfig;
const flaps = Number(flapsText);
const settleMs = Number(settleText ?? 200);
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function established(s: BgpSpeaker, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (s.status().peers.every((p) => p.state === 'Established')) return true;
    await sleep(5);
  }
  return false;
}

let speaker = new BgpSpeaker(cfg, { log });
await speaker.start();
if (!(await established(speaker, 60_000))) { process.stderr.write('first session never came up\n'); process.exit(1); }
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
await sleep(settleMs);
for (let i = 1; i <= flaps; i++) {
  await speaker.stop({ graceful: mode !== 'cease' });
  const t0 = performance.now();
  await sleep(Math.floor(Math.random() * maxDownMs));
  speaker = new BgpSpeaker(cfg, { log });
  await speaker.start();
  if (!(await established(speaker, 60_000))) { process.stdout.write(JSON.stringify({ flap: i, error: 'not Established within 60 s' }) + '\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ flap: i, downAndEstablishMs: Math.round((performance.now() - t0) * 10) / 10 }) + '\n');
  // The peer refreshes our routes from our UPDATE + End-of-RIB, sent right after Established.
  await sleep(settleMs);
}
process.stdout.write(JSON.stringify({ done: true, rssKiB: process.resourceUsage().maxRSS }) + '\n');
// Stay up (Established) until the scenario has looked at the peer; it stops us by PID.
setInterval(() => undefined, 60_000);
