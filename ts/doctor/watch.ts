// Follows the live kernel log (/dev/kmsg) and emits each "hw csum failure" as it is printed.
// The descriptor is non-blocking and is drained whenever the event loop reports it readable: the
// addon's FdWatch puts it into libuv's epoll set (Node itself has no way to wait on a character
// device: net.Socket refuses its descriptor, and a blocking read in the thread pool could never be
// cancelled). Idle, the watcher costs nothing. Where epoll cannot watch the source (a regular
// file, as tests and replays use) or the addon is unavailable, it is drained on a timer instead.
// Only kernel-facility records are looked at: lines written into /dev/kmsg from user space can
// never produce a failure event.
import { EventEmitter } from 'events';
import { binding, NativeFdWatch } from '../binding';
import { isKernelRecord, KmsgRecord } from './kmsg';
import { bootTimeMs, KMSG_PATH, KmsgSource } from './log-sources';
import { CsumFailure, CsumFailureDetector } from './parse';

const DEFAULT_INTERVAL_MS = 250;
/** Read interval right after records arrived. */
const BUSY_INTERVAL_MS = 20;
/** Records handled per turn of the event loop before yielding. */
const BATCH = 2048;

export interface WatchOptions {
  /** The log device, default /dev/kmsg (tests pass a FIFO or a file holding records). */
  kmsgPath?: string;
  /** Where the source cannot be waited on (see `mode`): how often it is read when it was empty,
   *  in ms (default 250). */
  intervalMs?: number;
  /**
   * Ignore what the ring buffer already holds at start. Default false: a 5.14+ kernel prints the
   * failure once per boot, possibly before the watcher started.
   */
  newOnly?: boolean;
}

export interface LiveFailure extends CsumFailure {
  /** The record was already in the ring buffer when watching started. */
  backlog: boolean;
}

export interface WatchStats {
  records: number;
  kernelRecords: number;
  /** Records from user space (non-kernel facility): never looked at. */
  userRecords: number;
  /** Times the kernel overwrote records before they were read. */
  missedGaps: number;
  failures: number;
  /** Sequence number of the last record read (-1 before the first). */
  lastSeq: number;
}

/** 'poll': woken by the kernel when records arrive. 'timer': read every `intervalMs`. */
export type WatchMode = 'poll' | 'timer';

/**
 * Emits 'failure' (LiveFailure), 'live' (once: what the ring buffer held at start has been read),
 * 'error' (Error; the watcher closes) and 'close'.
 * Memory stays flat: one read buffer, one pending failure, counters.
 */
export class KernelLogWatcher extends EventEmitter {
  readonly path: string;
  readonly stats: WatchStats = { records: 0, kernelRecords: 0, userRecords: 0, missedGaps: 0, failures: 0, lastSeq: -1 };
  private source: KmsgSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NativeFdWatch | undefined;
  private pollMode = false;
  private readonly detector = new CsumFailureDetector();
  private readonly interval: number;
  private readonly newOnly: boolean;
  private readonly bootMs = bootTimeMs();
  /** Last sequence number of the records present at start (-1: none yet read). */
  private backlogSeq = -1;
  private started = false;
  private unrefd = false;

  constructor(opts: WatchOptions = {}) {
    super();
    this.path = opts.kmsgPath ?? KMSG_PATH;
    this.interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.newOnly = opts.newOnly === true;
  }

  /** Opens the log (errors are thrown here) and starts reading on the next tick. */
  start(): this {
    if (this.started) return this;
    const source = new KmsgSource(this.path);
    try {
      this.poll = openFdWatch(source.descriptor!, (status) => this.onReadable(status));
    } catch (e) {
      source.close();
      throw e;
    }
    this.source = source;
    this.started = true;
    this.pollMode = this.poll !== undefined;
    this.timer = setTimeout(() => this.turn(true), 0);
    return this;
  }

  /** How new records are noticed (known after start()). */
  get mode(): WatchMode {
    return this.pollMode ? 'poll' : 'timer';
  }

  get closed(): boolean {
    return this.started && this.source === undefined;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.poll?.close();
    this.poll = undefined;
    if (!this.source) return;
    this.source.close();
    this.source = undefined;
    this.emit('close');
  }

  /** Keeps the process alive while watching (the default) or not. */
  unref(): this {
    this.timer?.unref();
    this.poll?.unref();
    this.unrefd = true;
    return this;
  }

  /** Reads up to BATCH records; undefined when the watcher closed meanwhile. */
  private drain(backlog: boolean): boolean | undefined {
    const src = this.source;
    if (!src) return undefined;
    let more: boolean;
    try {
      more = src.drain((rec) => this.record(rec, backlog), BATCH);
      this.stats.missedGaps = src.missedGaps;
    } catch (e) {
      this.emit('error', e);
      this.close();
      return undefined;
    }
    return this.source ? more : undefined;
  }

  private turn(first: boolean): void {
    this.timer = undefined;
    const before = this.stats.records;
    const more = this.drain(first);
    if (more === undefined) return;
    if (more) {
      // More waiting: go on at once, yielding to the event loop between batches.
      this.timer = setTimeout(() => this.turn(first), 0);
      if (this.unrefd) this.timer.unref();
      return;
    }
    if (first) this.emit('live');
    if (!this.source) return;  // closed by a listener
    if (this.poll) {
      // The backlog is read: from now on the kernel wakes us.
      try {
        this.poll.start();
      } catch (e) {
        this.emit('error', e);
        this.close();
      }
      return;
    }
    // Records came in: look again soon (a burst of log lines may still be arriving, and the ring
    // buffer overwrites what is not read in time). Idle: wait.
    this.timer = setTimeout(() => this.turn(false), this.stats.records > before ? Math.min(BUSY_INTERVAL_MS, this.interval) : this.interval);
    if (this.unrefd) this.timer.unref();
  }

  /** From the FdWatch. Epoll is level-triggered: what one batch leaves unread wakes us again. */
  private onReadable(status: number): void {
    if (this.drain(false) === undefined) return;
    // status < 0: the kernel flagged an error (for /dev/kmsg, records were overwritten before they
    // were read: the read above got EPIPE and went on) and libuv stopped the watch.
    if (status < 0) {
      try {
        this.poll?.start();
      } catch (e) {
        this.emit('error', e);
        this.close();
      }
    }
  }

  private record(rec: KmsgRecord, backlog: boolean): void {
    this.stats.records++;
    this.stats.lastSeq = rec.seq;
    if (backlog) this.backlogSeq = rec.seq;
    if (!isKernelRecord(rec)) {
      this.stats.userRecords++;
      return;
    }
    this.stats.kernelRecords++;
    const events = this.detector.feed({ message: rec.message, kernel: true, uptime: rec.usec / 1e6, seq: rec.seq, record: true });
    for (const ev of events) {
      const backlog = ev.seq !== undefined && ev.seq <= this.backlogSeq;
      const live: LiveFailure = { ...ev, date: new Date(this.bootMs + (ev.uptime ?? 0) * 1000), backlog };
      if (live.backlog && this.newOnly) continue;
      this.stats.failures++;
      this.emit('failure', live);
    }
  }
}

/** A readiness watch on fd, or undefined where epoll cannot watch it or the addon is unavailable. */
function openFdWatch(fd: number, onReady: (status: number) => void): NativeFdWatch | undefined {
  let FdWatch;
  try {
    FdWatch = binding().FdWatch;
  } catch {
    return undefined;
  }
  if (!FdWatch) return undefined;
  try {
    return new FdWatch(fd, onReady);
  } catch (e) {
    if ((e as { errno?: number }).errno === 1 /* EPERM: a regular file */) return undefined;
    throw e;
  }
}

/** Starts watching the live kernel log. */
export function watchKernelLog(opts: WatchOptions = {}): KernelLogWatcher {
  return new KernelLogWatcher(opts).start();
}
