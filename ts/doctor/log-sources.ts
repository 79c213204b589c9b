// Where kernel log text comes from: the ring buffer (/dev/kmsg, read directly: no dmesg process)
// and saved logs (kern.log, messages, journalctl -k or dmesg output, "-" for stdin, .gz files).
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import * as zlib from 'zlib';
import { ErrorCode, NicOffloadError } from '../errors';
import { KmsgFramer, KmsgRecord, MAX_RECORD_BYTES, parseKmsgRecord } from './kmsg';

export const KMSG_PATH = '/dev/kmsg';

function openError(e: unknown, path: string, what: string): NicOffloadError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? 'EIO';
  let hint = '';
  if (path === KMSG_PATH && (code === 'EPERM' || code === 'EACCES')) {
    hint = ': reading the kernel log needs CAP_SYSLOG when kernel.dmesg_restrict=1 (run as root, or pass --log /var/log/kern.log)';
  } else if (code === 'ENOENT') {
    hint = ': no such file';
  } else if (code === 'EISDIR') {
    hint = ': it is a directory';
  }
  return new NicOffloadError(`cannot read ${what} ${path}${hint || ` (${code})`}`, {
    code,
    errno: typeof err.errno === 'number' ? Math.abs(err.errno) : undefined,
    syscall: err.syscall,
  });
}

/**
 * Records from /dev/kmsg (or a stand-in: a FIFO or file holding records, for tests), read from a
 * non-blocking descriptor: drain() returns when nothing more is there. The device gives one record
 * per read(); a FIFO or file is a byte stream and goes through a KmsgFramer. A FIFO is opened
 * read-write so that a writer closing it is not an end of file.
 */
export class KmsgSource {
  readonly path: string;
  readonly device: boolean;
  /** Records the kernel overwrote before they were read (EPIPE from read()). */
  missedGaps = 0;
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(MAX_RECORD_BYTES);
  private readonly framer = new KmsgFramer();
  private readonly decoder = new StringDecoder('utf8');

  constructor(path = KMSG_PATH) {
    this.path = path;
    const { O_RDONLY, O_RDWR, O_NONBLOCK } = fs.constants;
    let st: fs.Stats;
    try {
      st = fs.statSync(path);
      this.device = st.isCharacterDevice();
      this.fd = fs.openSync(path, (st.isFIFO() ? O_RDWR : O_RDONLY) | O_NONBLOCK);
    } catch (e) {
      throw openError(e, path, 'the kernel log');
    }
    if (st.isDirectory()) {
      this.close();
      throw openError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path, 'the kernel log');
    }
  }

  /**
   * Reads every record available now (at most `max`), calling `onRecord` for each. Returns
   * whether it stopped because of `max` (more may be waiting).
   */
  drain(onRecord: (rec: KmsgRecord) => void, max = Infinity): boolean {
    let n = 0;
    while (n < max) {
      if (this.fd === undefined) return false;
      let got: number;
      try {
        got = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') {
          // The reader's position was overwritten; the next read() goes on from the oldest record.
          this.missedGaps++;
          continue;
        }
        throw openError(e, this.path, 'the kernel log');
      }
      if (got === 0) break;
      if (this.device) {
        const rec = parseKmsgRecord(this.buf.toString('utf8', 0, got));
        if (rec) {
          n++;
          onRecord(rec);
        }
      } else {
        for (const rec of this.framer.push(this.decoder.write(this.buf.subarray(0, got)))) {
          n++;
          onRecord(rec);
        }
      }
    }
    if (!this.device && n < max) for (const rec of this.framer.flush()) onRecord(rec);
    return n >= max;
  }

  /** The open descriptor (undefined once closed), to wait on it. */
  get descriptor(): number | undefined {
    return this.fd;
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Every record in the ring buffer now (one pass, non-blocking). */
export function readRingBuffer(onRecord: (rec: KmsgRecord) => void, path = KMSG_PATH): { missedGaps: number } {
  const src = new KmsgSource(path);
  try {
    src.drain(onRecord);
    return { missedGaps: src.missedGaps };
  } finally {
    src.close();
  }
}

/** Milliseconds since the epoch at boot, for turning /dev/kmsg time stamps into dates. */
export function bootTimeMs(): number {
  // printk stamps come from local_clock(), which runs like CLOCK_MONOTONIC (process.hrtime).
  return Date.now() - Number(process.hrtime.bigint() / 1000000n);
}

/**
 * A saved log as a text stream: "-" is `stdin`, a name ending in .gz is gunzipped. Open errors
 * come back as a NicOffloadError (ENOENT, EACCES, EISDIR).
 */
export async function openLogFile(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<NodeJS.ReadableStream> {
  if (file === '-') return stdin;
  let fd: number;
  try {
    fd = await new Promise<number>((resolve, reject) => fs.open(file, 'r', (err, f) => (err ? reject(err) : resolve(f))));
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    }
  } catch (e) {
    throw openError(e, file, 'log file');
  }
  const raw = fs.createReadStream(file, { fd });
  if (!file.endsWith('.gz')) return raw;
  const gunzip = zlib.createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * Longest log line kept, in bytes. Kernel records are at most 8 KiB; a journal JSON line can be
 * four times its message (byte arrays print as "115,"), so 64 KiB holds every real one. A longer
 * line is cut here and counted, so memory stays bounded whatever the input (a gzip bomb of zeros
 * is one endless line).
 */
export const MAX_LINE_BYTES = 65536;

export interface LineStats {
  /** Lines longer than MAX_LINE_BYTES, cut to that length. */
  truncated: number;
}

/**
 * The lines of a text stream, each at most `maxBytes` (longer ones are cut and counted in
 * `stats`); gzip and read errors become NicOffloadErrors naming the file.
 */
export async function* readLines(
  stream: NodeJS.ReadableStream,
  name: string,
  stats: LineStats = { truncated: 0 },
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<string> {
  let failure: unknown;
  stream.on('error', (e) => {
    failure = e;
  });
  let parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  const take = (b: Buffer): void => {
    if (cut) return;
    const room = maxBytes - size;
    if (b.length > room) {
      if (room > 0) parts.push(b.subarray(0, room));
      size = maxBytes;
      cut = true;
      stats.truncated++;
      return;
    }
    parts.push(b);
    size += b.length;
  };
  const line = (): string => {
    const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8');
    parts = [];
    size = 0;
    cut = false;
    return text;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        take(buf.subarray(start, nl));
        start = nl + 1;
        yield line();
      }
      if (start < buf.length) take(buf.subarray(start));
    }
    if (size > 0 || parts.length) yield line();
  } catch (e) {
    failure = e;
  }
  if (failure) {
    const code = (failure as { code?: string }).code ?? 'EIO';
    if (code.startsWith('Z_')) {
      throw new NicOffloadError(`cannot read log file ${name}: it is not valid gzip data (${code})`, { code: ErrorCode.LOG_FORMAT });
    }
    throw new NicOffloadError(`cannot read log file ${name} (${code})`, { code, errno: (failure as { errno?: number }).errno });
  }
}
