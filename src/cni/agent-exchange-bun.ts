// The compiled entry's way to the agent's socket (agent-client.ts has the protocol): Bun's own unix sockets.
// Importing node:net in a Bun executable costs ~6 ms of a ~10 ms process (measured: a compiled hello world
// 3.9 ms, the same importing node:net 10.3 ms, the same using Bun.connect 5.0 ms), as much as the agent's
// work for a pod. Only fast-entry.ts (built by Bun) imports this file.
import type { AgentDoor, Exchange, FileIdentity } from './agent-client.ts';

/** The part of Bun's socket API used here (no Bun types in this Node project). */
interface BunSocket {
  write(data: Uint8Array): number;
  shutdown(): void;
  end(): void;
  terminate(): void;
}
declare const Bun: {
  file(path: string): { stat(): Promise<{ dev: number | bigint; ino: number | bigint }> };
  connect(o: {
    unix: string; allowHalfOpen: boolean;
    socket: {
      open(s: BunSocket): void; drain(s: BunSocket): void; data(s: BunSocket, d: Uint8Array): void; end(s: BunSocket): void;
      close(s: BunSocket): void; error(s: BunSocket, e: Error): void; connectError(s: BunSocket, e: Error): void;
    };
  }): Promise<unknown>;
};

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);

export const bunExchange: Exchange = (path, request, maxBytes) => new Promise((resolve) => {
  let settled = false;
  const chunks: Uint8Array[] = [];
  let size = 0;
  let pending: Uint8Array = Buffer.from(request, 'utf8');
  const done = (r: Awaited<ReturnType<Exchange>>) => { if (!settled) { settled = true; resolve(r); } };
  // Writes what the socket takes; the rest waits for `drain`. All written → close our write side (FIN).
  const flush = (s: BunSocket) => {
    if (!pending.length) return;
    const n = s.write(pending);
    if (n > 0) pending = pending.subarray(n);
    if (!pending.length) s.shutdown();
  };
  Bun.connect({
    unix: path, allowHalfOpen: true,
    socket: {
      open: flush,
      drain: flush,
      data(s, d) {
        size += d.length;
        if (size > maxBytes) { s.terminate(); return done({ oversized: true }); }
        chunks.push(Buffer.from(d)); // Bun may reuse the chunk's memory after this handler
      },
      end(s) { s.end(); done({ reply: Buffer.concat(chunks) }); },
      close() { done({ reply: Buffer.concat(chunks) }); },
      error(_s, e) { done({ error: codeOf(e) }); },
      connectError(_s, e) { done({ error: codeOf(e) }); },
    },
  }).catch((e: unknown) => done({ error: codeOf(e) }));
});

/** As the Node entry's fileIdentity (statSync), through Bun's own files: node:fs would cost ~3 ms to load. */
export const bunIdentity: FileIdentity = async (path) => {
  try { const s = await Bun.file(path).stat(); return `${s.dev}:${s.ino}`; } catch { return null; }
};

export const bunDoor: AgentDoor = { exchange: bunExchange, identity: bunIdentity };
