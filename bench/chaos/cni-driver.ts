// A warm stand-in for the plugin executable, run inside the chaos node's host namespace: it does exactly what
// dist/tabby-cni.cjs does for ADD/DEL (hand the invocation to the agent on <state_dir>/cni.sock with the
// caller's view; when the agent does not serve, run the real executable), minus Node's start-up per call,
// which on this shared 2-core machine is most of a cycle's cost (bench/cni measures that part on its own).
// Protocol: one JSON line per call on stdin {id, env, stdin}; one JSON line per answer on stdout
// {id, code, stdout, via: "agent" | "executable"}. Calls run concurrently.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { agentSocketPath, requestFor } from '../../src/cni/agent-client.ts';
import { askAgent, fileIdentity } from '../../src/cni/agent-exchange-node.ts';

const [bundle] = process.argv.slice(2);
if (!bundle) { process.stderr.write('usage: cni-driver.ts <path of tabby-cni.cjs>\n'); process.exit(2); }

interface Call { id: number; env: Record<string, string>; stdin: string }

function runExecutable(c: Call): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle!], { env: c.env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    child.stdin.end(c.stdin);
  });
}

async function handle(c: Call): Promise<void> {
  const socket = agentSocketPath(c.stdin);
  const answer = socket ? await askAgent(socket, await requestFor(fileIdentity, c.env, c.stdin)) : { notServed: 'no socket' };
  const out = 'served' in answer
    ? { code: answer.served.exitCode, stdout: answer.served.stdout, via: 'agent' }
    : { ...(await runExecutable(c)), via: 'executable' };
  process.stdout.write(JSON.stringify({ id: c.id, ...out }) + '\n');
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line) as Call;
  handle(c).catch((e) => process.stdout.write(JSON.stringify({ id: c.id, code: -2, stdout: String(e), via: 'error' }) + '\n'));
});
