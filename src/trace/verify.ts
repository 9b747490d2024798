// `tabby trace --verify`: the probe is sent and captured by the agents on the path, in the lab as on a real
// cluster. Every planned capture is started on its node (POST /trace/capture) and, once all listen, the source's
// node sends the probe (POST /trace/probe) from SRC's own namespace; what the captures saw is then judged
// against the prediction (verify-plan.ts). The transport (HTTP with the trace token) is the caller's.
import { randomInt } from 'node:crypto';
import type { TracePacket, TraceResult } from './types.ts';
import { probeSpecFor, type ProbeSpec } from './probe.ts';
import { capturePlan, judge, type CaptureOutcome, type CapturePoint } from './verify-plan.ts';

export interface VerifyTransport {
  /** Starts a capture on `node`; `listening` once it listens; resolves with what it saw when its time is up. */
  capture(node: string, body: Record<string, unknown>, listening: () => void): Promise<CaptureOutcome>;
  probe(node: string, body: Record<string, unknown>): Promise<void>;
}

/** How long each capture runs: long enough for the slowest to start (5 s at most), the probe (2 s) and a margin. */
export const CAPTURE_MS = 9000;
const LISTEN_WAIT_MS = 6000;

export function captureBody(p: CapturePoint, spec: ProbeSpec): Record<string, unknown> {
  return {
    probe: spec, iface: p.iface, form: p.form, durationMs: CAPTURE_MS,
    ...(p.pod ? { pod: p.pod } : {}), ...(p.natSrc ? { natSrc: p.natSrc } : {}), ...(p.outbound ? { outbound: true } : {}),
  };
}

/**
 * Verifies a predicted trace with a real probe. `fromAddress`: the packet's source is not SRC's own address
 * (--src-address), so the probe is sent from it.
 */
export async function verifyTrace(result: TraceResult, pkt: TracePacket, t: VerifyTransport, spoofed = false, pick: (lo: number, hi: number) => number = randomInt): Promise<TraceResult> {
  const first = result.hops[0];
  if (!first) return result;
  const spec = probeSpecFor(pkt, pick, spoofed ? pkt.src : undefined);
  const points = capturePlan(result.hops, spec);
  const started = points.map((p) => {
    let heard!: () => void;
    const listening = new Promise<void>((r) => { heard = r; });
    const done = t.capture(p.node, captureBody(p, spec), heard)
      .catch((e: Error): CaptureOutcome => ({ lines: [], error: e.message }))
      .finally(heard);
    return { listening, done };
  });
  await Promise.race([Promise.all(started.map((s) => s.listening)), new Promise((r) => setTimeout(r, LISTEN_WAIT_MS))]);
  await t.probe(first.node, { probe: spec, ...(first.namespace ? { pod: first.namespace } : {}) });
  const outcomes = await Promise.all(started.map((s) => s.done));
  return judge(result, points, outcomes);
}
