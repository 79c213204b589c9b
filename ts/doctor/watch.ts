// Follows the live kernel log (/dev/kmsg) and emits each "hw csum failure" as it is printed.
// The descriptor is non-blocking and is drained on a short timer: Node offers no way to wait
// for a character device to become readable (net.Socket refuses its descriptor, and a blocking
// read in the thread pool cannot be cancelled, so close() could never finish). An idle read is
// one read() returning EAGAIN. Only kernel-facility records are looked at: lines written into
// /dev/kmsg from user space can never produce a failure event.
import { EventEmitter } from 'events';
import { isKernelRecord, KmsgRecord } from './kmsg';
import { bootTimeMs, KMSG_PATH, KmsgSource } from './log-sources';
import { CsumFailure, CsumFailureDetector } from './parse';

export const DEFAULT_INTERVAL_MS = 250;
/** Read interval right after records arrived. */
const BUSY_INTERVAL_MS = 20;
/** Records handled per turn of the event loop before yielding. */
const BATCH = 2048;

export interface WatchOptions {
  /** The log device, default /dev/kmsg (tests pass a FIFO or a file holding records). */
  kmsgPath?: string;
  /** How often the descriptor is read when it was empty, in ms (default 250). */
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
}

/**
 * Emits 'failure' (LiveFailure), 'error' (Error; the watcher closes) and 'close'.
 * Memory stays flat: one read buffer, one pending failure, counters.
 */
export class KernelLogWatcher extends EventEmitter {
  readonly path: string;
  readonly stats: WatchStats = { records: 0, kernelRecords: 0, userRecords: 0, missedGaps: 0, failures: 0 };
  private source: KmsgSource | undefined;
  private timer: NodeJS.Timeout | undefined;
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
    this.source = new KmsgSource(this.path);
    this.started = true;
    this.timer = setTimeout(() => this.turn(true), 0);
    return this;
  }

  get closed(): boolean {
    return this.started && this.source === undefined;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.source) return;
    this.source.close();
    this.source = undefined;
    this.emit('close');
  }

  /** Keeps the process alive while watching (the default) or not. */
  unref(): this {
    this.timer?.unref();
    this.unrefd = true;
    return this;
  }

  private turn(first: boolean): void {
    this.timer = undefined;
    const src = this.source;
    if (!src) return;
    let more: boolean;
    const before = this.stats.records;
    try {
      more = src.drain((rec) => this.record(rec, first), BATCH);
      this.stats.missedGaps = src.missedGaps;
    } catch (e) {
      this.emit('error', e);
      this.close();
      return;
    }
    if (!this.source) return;
    // More waiting: go on at once. Records came in: look again soon (a burst of log lines may
    // still be arriving, and the ring buffer overwrites what is not read in time). Idle: wait.
    if (more) this.timer = setTimeout(() => this.turn(first), 0);
    else this.timer = setTimeout(() => this.turn(false), this.stats.records > before ? Math.min(BUSY_INTERVAL_MS, this.interval) : this.interval);
    if (this.unrefd) this.timer.unref();
  }

  private record(rec: KmsgRecord, backlog: boolean): void {
    this.stats.records++;
    if (backlog) this.backlogSeq = rec.seq;
    if (!isKernelRecord(rec)) {
      this.stats.userRecords++;
      return;
    }
    this.stats.kernelRecords++;
    const events = this.detector.feed({ message: rec.message, kernel: true, uptime: rec.usec / 1e6, seq: rec.seq });
    for (const ev of events) {
      const backlog = ev.seq !== undefined && ev.seq <= this.backlogSeq;
      const live: LiveFailure = { ...ev, date: new Date(this.bootMs + (ev.uptime ?? 0) * 1000), backlog };
      if (live.backlog && this.newOnly) continue;
      this.stats.failures++;
      this.emit('failure', live);
    }
  }
}

/** Starts watching the live kernel log. */
export function watchKernelLog(opts: WatchOptions = {}): KernelLogWatcher {
  return new KernelLogWatcher(opts).start();
}
