// The plugin's fast path: hand the invocation to the node agent on this host, which is already running with
// its modules loaded, its datastore open and its netlink sockets warm, and answer with what it answers.
// Start-up (Node + loading the datastore, IPAM and netlink modules) is most of a cold plugin's time; served,
// the executable loads only this file. Whenever the agent cannot serve (not running, another network or mount
// view of the pod's netns, another protocol version, connection lost) the plugin does the work itself, as before: the
// agent only makes pods start faster, it never becomes a requirement.
//
// Wire format: one JSON request from the plugin, the write side closed, one JSON reply, the connection closed.
// The socket is `<state_dir>/cni.sock` (root only), next to the nodename file the agent writes there.
// The protocol lives here; moving the bytes and reading a file's identity is an `AgentDoor` each entry brings:
// node:net and node:fs for the Node entry (agent-exchange-node.ts), Bun's own sockets and files for the
// compiled one (agent-exchange-bun.ts), where loading node:net or node:fs alone costs 3–6 ms of a process
// that otherwise starts in 5. So this file imports nothing from Node.
import { TABBY_STATE_DIR } from '../paths.ts';

export const CNI_SOCKET_NAME = 'cni.sock';
/** The agent's default state dir (netconf state_dir overrides). */
export const DEFAULT_AGENT_STATE_DIR = TABBY_STATE_DIR;
export const PROTOCOL_VERSION = 1;
/** Requests and replies larger than this are refused (a netconf with a huge prevResult is still far below). */
export const MAX_MESSAGE_BYTES = 4 << 20;

/**
 * What the agent must share with the caller to act for it: the network namespace (the host side of the pod)
 * and the view of the pod's netns path (a runtime's /run/netns/x must name the same namespace for both;
 * `ip netns exec` and containers give a process its own mount namespace, so paths are compared, not mounts).
 */
export interface CallerView { net: string; target: string | null }

export interface ServeRequest {
  v: number;
  pid: number;
  view: CallerView;
  env: Record<string, string>;
  stdin: string;
}

export type ServeReply =
  | { stdout: string; exitCode: number; stderr?: string }
  | { fallback: string };

/**
 * `device:inode` of the file at `path` (for a namespace file: the namespace's identity), null when it cannot
 * be read. Both entries' implementations must give the same string for the same file.
 */
export type FileIdentity = (path: string) => string | null | Promise<string | null>;

/** This process's view: its network namespace and what `netnsPath` names for it. */
export async function callerView(identity: FileIdentity, netnsPath: string | undefined): Promise<CallerView> {
  const [net, target] = await Promise.all([identity('/proc/self/ns/net'), netnsPath ? identity(netnsPath) : null]);
  return { net: net ?? 'unknown', target };
}

/** `<state_dir>/cni.sock` from the raw netconf; undefined when the netconf is not JSON (the in-process path reports that). */
export function agentSocketPath(stdin: string): string | undefined {
  let conf: unknown;
  try { conf = JSON.parse(stdin); } catch { return undefined; }
  if (conf === null || typeof conf !== 'object') return undefined;
  const dir = (conf as { state_dir?: unknown }).state_dir;
  return `${typeof dir === 'string' && dir ? dir.replace(/\/+$/, '') : DEFAULT_AGENT_STATE_DIR}/${CNI_SOCKET_NAME}`;
}

/** The agent's answer, or why it did not give one (then the caller runs the invocation itself). */
export type AgentAnswer = { served: { stdout: string; exitCode: number; stderr?: string } } | { notServed: string };

/** What moving one request and its reply over the socket gave: the reply's bytes, or why there are none. */
export type ExchangeResult = { reply: Buffer } | { error: string } | { oversized: true };

/**
 * Connects to the unix socket at `path`, writes `request`, closes the write side and collects the reply until
 * the agent closes the connection. `error` is the errno code (ENOENT, ECONNREFUSED…) or a message; a reply
 * over `maxBytes` is cut off as `oversized`. Connecting fails fast when no agent listens; once connected it
 * waits as long as the agent takes (the runtime's own timeout bounds a CNI call).
 */
export type Exchange = (path: string, request: string, maxBytes: number) => Promise<ExchangeResult>;

/** What an entry brings to reach the agent. */
export interface AgentDoor { exchange: Exchange; identity: FileIdentity }

/** Sends the invocation to the agent at `socketPath` and reads its answer. */
export async function askAgentWith(exchange: Exchange, socketPath: string, req: ServeRequest): Promise<AgentAnswer> {
  const r = await exchange(socketPath, JSON.stringify(req), MAX_MESSAGE_BYTES);
  if ('error' in r) return { notServed: `${socketPath}: ${r.error}` };
  if ('oversized' in r) return { notServed: 'the agent sent an oversized reply' };
  let reply: unknown;
  try { reply = JSON.parse(r.reply.toString('utf8')); } catch {
    return { notServed: r.reply.length ? 'the agent sent a malformed reply' : 'the agent closed the connection without answering' };
  }
  const a = reply as Partial<{ stdout: unknown; exitCode: unknown; stderr: unknown; fallback: unknown }> | null;
  if (a && typeof a.fallback === 'string') return { notServed: `the agent declined: ${a.fallback}` };
  if (!a || typeof a.stdout !== 'string' || typeof a.exitCode !== 'number') return { notServed: 'the agent sent a malformed reply' };
  return { served: { stdout: a.stdout, exitCode: a.exitCode, ...(typeof a.stderr === 'string' ? { stderr: a.stderr } : {}) } };
}

/** The request for this process's invocation. */
export async function requestFor(identity: FileIdentity, env: NodeJS.ProcessEnv, stdin: string): Promise<ServeRequest> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) e[k] = v;
  return { v: PROTOCOL_VERSION, pid: process.pid, view: await callerView(identity, env.CNI_NETNS), env: e, stdin };
}

/**
 * Both entries' first step: hand this invocation (netconf `stdin`) to the agent. Returns true once the
 * agent's answer is written out; otherwise the reason worth logging why it did not serve (undefined when
 * simply no agent listens, the ordinary case without one).
 */
export async function serveThroughAgent(door: AgentDoor, stdin: string, finish: (stdout: string, exitCode: number, stderr?: string) => void): Promise<{ served: true } | { served: false; reason?: string }> {
  const socket = agentSocketPath(stdin);
  if (!socket) return { served: false };
  const answer = await askAgentWith(door.exchange, socket, await requestFor(door.identity, process.env, stdin));
  if ('served' in answer) {
    finish(answer.served.stdout, answer.served.exitCode, answer.served.stderr);
    return { served: true };
  }
  return /: (ENOENT|ECONNREFUSED)$/.test(answer.notServed) ? { served: false } : { served: false, reason: answer.notServed };
}
