// Kernel records that carry text an unprivileged user chose, as the kernel formats them: the
// segfault report (show_signal_msg(): the task's comm, cut to 15 bytes, and print_vma_addr():
// the file's base name) and the warning for an exec with NULL argv (pr_warn_once(): comm and the
// path given to execve). A file name may hold newlines, so such a record can hold a line that
// looks like a headline, or like skb_dump's "dev name=" line.

/** A file name that puts `lines` on lines of their own inside a kernel record. */
export function forgedName(lines: string[]): string {
  return ['x', ...lines, 'z'].join('\n');
}

/** The segfault record for a program with base name `name` (6.x layout). */
export function segfaultRecord(name: string, pid = 4917): string {
  const comm = name.slice(0, 15);
  return `${comm}[${pid}]: segfault at 0 ip 000055f42c8f6132 sp 00007ffdf70a7e00 error 6 in ${name}[1132,55f42c8f6000+1000] likely on CPU 1 (core 1, socket 0)`;
}

/** The NULL-argv warning for `path` launched by a process called `parentComm` (5.18+). */
export function nullArgvRecord(path: string, parentComm = 'launcher'): string {
  return `process '${parentComm.slice(0, 15)}' launched '${path}' with NULL argv: empty string added`;
}

/** A /dev/kmsg record line for `message` (newlines and other control bytes escaped as \xNN). */
export function kmsgLine(prio: number, seq: number, usec: number, message: string): string {
  const escaped = Buffer.from(message, 'utf8')
    .toString('latin1')
    .replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${prio},${seq},${usec},-;${escaped}`;
}
