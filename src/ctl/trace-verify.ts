// `tabby trace --verify` over HTTP: the agents' POST /trace/capture (NDJSON: listening, then what it saw) and
// POST /trace/probe, with the cluster's trace token (docs/trace.md).
import type { KnownNode } from '../trace/stitch.ts';
import type { VerifyTransport } from '../trace/verify.ts';
import type { CaptureOutcome } from '../trace/verify-plan.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE } from './errors.ts';

function urlOf(nodes: KnownNode[], node: string, tracePort: number, path: string): string {
  const addr = nodes.find((n) => n.name === node)?.addresses[0];
  if (!addr) throw new CliError(`node ${node} has no address in the datastore: cannot ask it`, EXIT_FAILED);
  return `http://${addr}:${tracePort}${path}`;
}

async function post(url: string, node: string, token: string, body: Record<string, unknown>, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new CliError(`node ${node}: its trace endpoint ${url} does not answer (${(e as Error).cause ?? (e as Error).message})`, EXIT_UNAVAILABLE);
  }
}

async function refusal(r: Response, node: string, what: string): Promise<never> {
  const body = await r.json().catch(() => ({})) as { error?: string };
  throw new CliError(`node ${node} refused the ${what} (HTTP ${r.status}): ${body.error ?? 'no answer'}`, r.status >= 500 ? EXIT_UNAVAILABLE : EXIT_FAILED);
}

/** Reads the NDJSON answer: the listening line, then the outcome. */
async function readCapture(r: Response, listening: () => void): Promise<CaptureOutcome> {
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let last: CaptureOutcome | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { listening?: boolean } & CaptureOutcome;
      if (msg.listening) listening(); else last = { lines: msg.lines ?? [], ...(msg.error ? { error: msg.error } : {}), ...(msg.routeGet !== undefined ? { routeGet: msg.routeGet } : {}), ...(msg.neighbour !== undefined ? { neighbour: msg.neighbour } : {}) };
    }
    if (done) break;
  }
  return last ?? { lines: [], error: 'the capture ended without an answer' };
}

export function httpVerifyTransport(nodes: KnownNode[], tracePort: number, token: string): VerifyTransport {
  return {
    async capture(node, body, listening) {
      const r = await post(urlOf(nodes, node, tracePort, '/trace/capture'), node, token, body, 60_000);
      if (r.status !== 200) return refusal(r, node, 'capture');
      return readCapture(r, listening);
    },
    async probe(node, body) {
      const r = await post(urlOf(nodes, node, tracePort, '/trace/probe'), node, token, body, 30_000);
      if (r.status !== 200) await refusal(r, node, 'probe');
    },
  };
}
