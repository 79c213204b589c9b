// What every log source turns a line or record into: the message and where and when it was
// printed. The parser (parse.ts), the journal reader (journal.ts) and the report all share it.

export interface LogTime {
  /** The time as the log printed it. */
  stamp?: string;
  /** Seconds since boot (dmesg "[   34.391956]", /dev/kmsg usec). */
  uptime?: number;
  /** Wall-clock time, when the log gives one (syslog, journal, dmesg -T, ISO). */
  date?: Date;
}

export interface LogLine extends LogTime {
  /** The message without any prefix; may hold several lines (a multi-line printk record). */
  message: string;
  /** False when a prefix says the line did not come from the kernel (a syslog tag, a facility). */
  kernel: boolean;
  /** The line continues the record before it (an indented line of dmesg or journalctl): it is
   *  never the start of a record. */
  continued?: boolean;
  /** The message is a whole record as the kernel stored it (/dev/kmsg, the journal), not a line
   *  of a text log that may print a record's lines one by one. */
  record?: boolean;
  /** /dev/kmsg sequence number. */
  seq?: number;
  /** 1-based line number in the source. */
  line?: number;
}
