// The compiled entry's way into the Node plugin: execve(2) through Bun's FFI, after putting the netconf it
// already read back on fd 0 (a memfd), so the plugin runs as if the runtime had started it: same PID, same
// argv and environment (plus the two TABBY_CNI_* variables the entry adds), the same stdin.
// A child process instead would outlive a runtime's kill of the entry and finish an ADD nobody waits for.

export interface NodePlugin { node: string; entry: string }

/** The part of `bun:ffi` used here (no Bun types in this Node project). */
interface BunFfi {
  dlopen(lib: string, symbols: Record<string, { args: number[]; returns: number }>): { symbols: Record<string, (...a: unknown[]) => number | bigint> };
  ptr(view: ArrayBufferView): number;
  FFIType: Record<'i32' | 'u32' | 'i64' | 'u64' | 'ptr' | 'cstring', number>;
}

const SEEK_SET = 0;
/** The memfd itself closes on exec; its dup on fd 0 stays. */
const MFD_CLOEXEC = 1;

/** A NUL-terminated copy of `s` (kept referenced by the caller until execve). */
const cString = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

/** A NULL-terminated array of pointers to `strings` for execve's argv / envp. */
function pointerArray(ffi: BunFfi, strings: Buffer[]): BigUint64Array {
  const arr = new BigUint64Array(strings.length + 1);
  strings.forEach((b, i) => { arr[i] = BigInt(ffi.ptr(b)); });
  return arr;
}

/** Replaces this process with `node entry argv…`, `stdin` on fd 0; returns only by throwing. */
export async function execNodePlugin(target: NodePlugin, argv: string[], extraEnv: Record<string, string>, stdin: string): Promise<never> {
  const ffi = (await import('bun:ffi' as string)) as BunFfi;
  const { i32, u32, i64, u64, ptr } = ffi.FFIType;
  const libc = ffi.dlopen('libc.so.6', {
    memfd_create: { args: [ptr, u32], returns: i32 },
    write: { args: [i32, ptr, u64], returns: i64 },
    lseek: { args: [i32, i64, i32], returns: i64 },
    dup2: { args: [i32, i32], returns: i32 },
    execve: { args: [ptr, ptr, ptr], returns: i32 },
  }).symbols;
  const name = cString('tabby-cni-stdin');
  const fd = Number(libc.memfd_create!(ffi.ptr(name), MFD_CLOEXEC));
  if (fd < 0) throw new Error('memfd_create failed');
  const data = Buffer.from(stdin, 'utf8');
  for (let off = 0; off < data.length;) {
    const n = Number(libc.write!(fd, ffi.ptr(data.subarray(off)), data.length - off));
    if (n <= 0) throw new Error('writing the netconf to the memfd failed');
    off += n;
  }
  if (Number(libc.lseek!(fd, 0, SEEK_SET)) !== 0 || Number(libc.dup2!(fd, 0)) !== 0) throw new Error('putting the netconf back on stdin failed');
  const env = { ...process.env, ...extraEnv };
  const args = [target.node, target.entry, ...argv].map(cString);
  const envs = Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => cString(`${k}=${v}`));
  const file = cString(target.node);
  const argvPtrs = pointerArray(ffi, args);
  const envPtrs = pointerArray(ffi, envs);
  libc.execve!(ffi.ptr(file), ffi.ptr(argvPtrs), ffi.ptr(envPtrs));
  throw new Error(`execve ${target.node} failed`);
}
