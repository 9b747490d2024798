// BGP Shutdown Communication (RFC 8203, updated by RFC 9003): the data of a Cease NOTIFICATION with subcode
// Administrative Shutdown (2) or Administrative Reset (4) may carry a length octet and that many octets of
// UTF-8 text (RFC 9003 allows up to 255) for the operator. A length past the data or text that is not UTF-8
// is malformed: the RFC says to log that (optionally as hex) and go on; it never changes session handling.
import { CeaseSub, ErrCode } from './codec-constants.ts';

/** RFC 9003 §2: the length octet allows up to 255 octets of UTF-8. */
export const SHUTDOWN_COMMUNICATION_MAX_OCTETS = 255;

export type ShutdownCommunication =
  | { kind: 'message'; text: string }
  | { kind: 'malformed'; problem: string; hex: string };

const carriesCommunication = (code: number, subcode: number): boolean =>
  code === ErrCode.CEASE && (subcode === CeaseSub.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSub.ADMINISTRATIVE_RESET);

function hex(data: Uint8Array): string { return Buffer.from(data).toString('hex'); }

/** The communication of a received NOTIFICATION; undefined when it has none (other codes, no data, length 0). */
export function decodeShutdownCommunication(code: number, subcode: number, data: Uint8Array): ShutdownCommunication | undefined {
  if (!carriesCommunication(code, subcode) || data.length === 0) return undefined;
  const length = data[0]!;
  if (length === 0) return undefined;
  if (1 + length > data.length) {
    return { kind: 'malformed', problem: `length ${length} exceeds the ${data.length - 1} octets that follow it`, hex: hex(data) };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + length));
    return { kind: 'message', text };
  } catch {
    return { kind: 'malformed', problem: 'not valid UTF-8', hex: hex(data.subarray(1, 1 + length)) };
  }
}

/** NOTIFICATION data carrying `text`, cut at a character boundary to fit 255 octets. */
export function encodeShutdownCommunication(text: string): Uint8Array {
  let bytes = new TextEncoder().encode(text);
  if (bytes.length > SHUTDOWN_COMMUNICATION_MAX_OCTETS) {
    let end = SHUTDOWN_COMMUNICATION_MAX_OCTETS;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off a UTF-8 continuation octet
    bytes = bytes.subarray(0, end);
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** The communication as operators see it after the NOTIFICATION's name (log, lastError, node status). */
export function describeShutdownCommunication(c: ShutdownCommunication | undefined): string {
  if (!c) return '';
  // JSON quoting keeps control characters from a peer out of our one-line status and logs.
  if (c.kind === 'message') return ` ${JSON.stringify(c.text)}`;
  return ` (malformed shutdown communication: ${c.problem}; data 0x${c.hex})`;
}
