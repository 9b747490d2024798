// How processes sharing the embedded datastore learn of each other's commits. SQLite has no notification:
// a writer makes a commit visible by updating the WAL index, which lives in the memory-mapped -shm file and
// makes no inotify event. The WAL writes that precede it do make events, but a process woken by one can
// look before the commit is visible (measured: a third of the commits of a short-lived writer such as
// `tabby apply` were seen only by the safety-net poll, up to a second late). So every writer, once its
// transaction has committed, writes one byte to `<db>-notify` (CommitSignal): that event comes after the
// commit is visible, and it is the only file event a watching process reacts to.

import { closeSync, constants, openSync, watch as fsWatch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { createLogger } from '../log.ts';

const log = createLogger('datastore');

/** Poll interval while inotify reports changes: only catches what it might miss (a writer that crashed
 * between its commit and its signal, a writer of an earlier version). */
const SAFETY_NET_POLL_MS = 1000;

export interface NotifierOptions {
  /** Poll interval where inotify does not work (ms). */
  fastPollMs: number;
  safetyNetPollMs?: number | undefined;
  inotify: boolean;
}

export function notifyPath(dbPath: string): string {
  return `${dbPath}-notify`;
}

/** The writer's side: one byte written at offset 0 of `<db>-notify` after each commit. */
export class CommitSignal {
  private fd: number | undefined;
  private failed = false;
  private readonly byte = Buffer.from([0x31]);

  constructor(private readonly dbPath: string) {}

  committed(): void {
    if (this.failed) return;
    try {
      // Not O_APPEND: on Linux that makes every write an append, and the file would grow by a byte a commit.
      this.fd ??= openSync(notifyPath(this.dbPath), constants.O_WRONLY | constants.O_CREAT, 0o600);
      writeSync(this.fd, this.byte, 0, 1, 0);
    } catch (err) {
      // A read-only mount or another owner's file: watchers still find the commit by their poll.
      this.failed = true;
      log.warn({ err: (err as Error).message, path: notifyPath(this.dbPath) }, 'cannot signal commits to other processes; they will find them by polling');
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Wakes watches when the database changes: at once for this process's own writes, via inotify on the
 * directory for other processes' commit signals, and via a `PRAGMA data_version` poll (a counter that moves
 * when another connection commits). While inotify works the poll is only a slow safety net; if the poll
 * keeps finding commits inotify did not report (a filesystem without inotify support), it switches to fast
 * polling. Wake-ups are coalesced into one check per event-loop turn.
 */
export class ChangeNotifier {
  private fsWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dataVersion: number;
  private readonly dataVersionStmt: Database.Statement<[], number>;
  private scheduled = false;
  private stopped = false;
  private fsEventSincePoll = false;
  /** A write through this connection since the last check (data_version counts other connections' commits only). */
  private localPending = false;
  private missedByInotify = 0;

  constructor(
    db: Database.Database,
    private readonly path: string,
    private readonly opts: NotifierOptions,
    private readonly onChange: () => void,
  ) {
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.dataVersion = this.readDataVersion();
    const signal = basename(notifyPath(path));
    if (opts.inotify) {
      try {
        this.fsWatcher = fsWatch(dirname(path), { persistent: false }, (_event, file) => {
          if (file && file !== signal) return; // the WAL's own writes come before the commit is visible
          this.fsEventSincePoll = true;
          this.schedule();
        });
        this.fsWatcher.on('error', (err) => this.inotifyFailed(err.message));
      } catch (err) {
        this.inotifyFailed((err as Error).message);
      }
    }
    this.startPolling();
  }

  private startPolling(): void {
    if (this.timer) clearInterval(this.timer);
    const interval = this.fsWatcher ? this.opts.safetyNetPollMs ?? SAFETY_NET_POLL_MS : this.opts.fastPollMs;
    // The timer keeps the process alive while something watches, like an etcd watch stream does.
    this.timer = setInterval(() => this.poll(), interval);
  }

  private poll(): void {
    const v = this.readDataVersion();
    if (v !== this.dataVersion) {
      if (this.fsWatcher && !this.fsEventSincePoll && ++this.missedByInotify >= 3) {
        this.inotifyFailed('commits by other processes were not reported');
      }
      this.schedule();
    } else {
      this.missedByInotify = 0;
    }
    this.fsEventSincePoll = false;
  }

  private inotifyFailed(why: string): void {
    log.warn({ err: why, path: this.path }, 'no inotify on the datastore directory; polling for changes');
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
    if (!this.stopped && this.timer) this.startPolling();
  }

  private readDataVersion(): number {
    try {
      return this.dataVersionStmt.get() as number;
    } catch {
      return this.dataVersion; // database closing: nothing more to report
    }
  }

  localChange(): void {
    this.localPending = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      // Only a changed data_version (or a write of our own, which data_version does not count) means there
      // is something to read: 50 processes reading the events table on every file event was a fifth of a
      // 50-node lab's CPU while pods were being created.
      const v = this.readDataVersion();
      const changed = v !== this.dataVersion || this.localPending;
      this.dataVersion = v;
      this.localPending = false;
      if (changed) this.onChange();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.fsWatcher?.close();
  }
}
