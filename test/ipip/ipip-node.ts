// Runs the IPIP dataplane in the current network namespace (a test "node"), as the agent would, and keeps
// it (and the tunl0 carrier) until stdin closes or SIGTERM. Prints one JSON line when ready.
import { ensureIpipDataplane } from '../../src/ipip/index.ts';

const [fabric, tunnelAddress, mtu] = process.argv.slice(2);
const dp = await ensureIpipDataplane({ fabricInterface: fabric!, tunnelAddress: tunnelAddress || undefined, hostMtu: Number(mtu ?? 1500) });
process.stdout.write(JSON.stringify({ mode: dp.mode, mtu: dp.mtu }) + '\n');
const done = async () => { await dp.stop(); process.exit(0); };
process.stdin.on('end', done);
process.stdin.resume();
process.on('SIGTERM', done);
