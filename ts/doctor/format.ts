// Text for people: the doctor's report, and the exit status scripts read.
import { isStacked } from './kinds';
import { KMSG_PATH, MAX_LINE_BYTES } from './log-sources';
import type { DeviceAdvice, DoctorReport, Finding, Sighting } from './report';
import { kernelLabel, KnownBugAdvice, KnownBugMatch } from './advice';
import type { CsumErrorsReading } from './csum-counters';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function localTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function describeSighting(s: Sighting): string {
  const parts: string[] = [];
  if (s.date && !Number.isNaN(s.date.getTime())) parts.push(localTime(s.date));
  else if (s.stamp && s.uptime === undefined) parts.push(s.stamp);
  if (s.uptime !== undefined) parts.push(`${s.uptime.toFixed(1)} s after boot`);
  if (s.source && s.line !== undefined) parts.push(`${s.source}:${s.line}`);
  else if (s.seq !== undefined) parts.push(`kmsg seq ${s.seq}`);
  return parts.join(', ') || 'time unknown';
}

function sourcesLine(m: KnownBugMatch): string {
  return m.sources.map((s) => s.url).join(' ');
}

/** What the known bugs say for one driver on this kernel (IFACE in a remedy becomes `ifname`). */
function knownBugLines(k: KnownBugAdvice, indent: string, ifname = 'IFACE'): string[] {
  const out: string[] = [];
  const kernel = kernelLabel(k.kernel);
  const from = k.driverFrom === 'log' ? ' (named by the log)' : '';
  for (const m of k.causes) {
    const when = m.kernelMatch === 'affected' ? `kernel ${kernel} is in ${m.affectedKernels}` : m.kernelMatch === 'unknown' ? `kernel "${k.kernel}" cannot be read as a version; affected: ${m.affectedKernels}` : 'no kernel is known to fix it';
    out.push(`${indent}known cause for ${k.driver}${from}: ${m.title} (${when}; ${m.status === 'fixed' ? `fixed in ${m.fixedIn}` : m.status})`);
    out.push(`${indent}  ${m.detail}`);
    out.push(`${indent}  remedy: ${m.remedy.replace(/\bIFACE\b/g, ifname)}`);
    out.push(`${indent}  sources: ${sourcesLine(m)}`);
  }
  if (!k.causes.length) {
    const ruled = k.ruledOut.map((r) => `${r.title} (${r.affectedKernels})`).join('; ');
    out.push(`${indent}no known cause on record for ${k.driver}${from} on kernel ${kernel}${ruled ? `; not this kernel: ${ruled}` : ''}`);
  }
  for (const m of k.separate) {
    out.push(`${indent}also known for ${k.driver}, a different fault (not "hw csum failure", not part of this fix): ${m.title}`);
    out.push(`${indent}  ${m.detail}`);
    out.push(`${indent}  for that symptom: ${m.remedy}`);
    out.push(`${indent}  sources: ${sourcesLine(m)}`);
  }
  return out;
}

function countersText(r: CsumErrorsReading): string {
  if ('error' in r) return `unreadable (${r.error.message})`;
  const parts = Object.entries(r.counters)
    .filter(([, n]) => n > 0)
    .map(([proto, n]) => `${proto} ${n}`);
  return parts.length ? `${r.total} (${parts.join(', ')})` : String(r.total);
}

/** The stack's checksum error counters, and what they can and cannot tell. */
function counterLines(report: DoctorReport): string[] {
  const { before, after } = report.inCsumErrors;
  const where = report.findings.length || after ? 'in the namespace of these devices' : 'in this namespace';
  const out: string[] = [];
  if (after) out.push(`Checksum errors the stack counted ${where} (InCsumErrors in /proc/net/snmp, snmp6 and netstat): before the fix ${countersText(before)}, after it ${countersText(after)}.`);
  else out.push(`Checksum errors the stack counted ${where} (InCsumErrors in /proc/net/snmp, snmp6 and netstat): ${countersText(before)}.`);
  out.push(
    'They count packets whose checksum the stack itself found wrong and dropped, with or without offload (a "hw csum failure" packet was good, so it is not counted). ' +
      'If the count keeps growing after rx off, packets reach this machine corrupted: look at the network (a sender with a broken transmit checksum offload, a cable, a switch). ' +
      'Turning offload off here does not cure a corrupting sender.',
  );
  return out;
}

function deviceLines(d: DeviceAdvice, indent: string): string[] {
  const out: string[] = [];
  const drv = d.driver ? `driver ${d.driver}${d.busInfo ? ` (${d.busInfo})` : ''}` : 'driver unknown';
  let rx: string = `rx-checksum ${d.rxChecksum}`;
  if (d.rxChecksum === 'absent') rx = 'no rx-checksum feature';
  if (d.rxChecksumFixed && d.rxChecksum === 'on') rx += ' [fixed]: it cannot be turned off';
  out.push(`${indent}${d.ifname}: ${drv}; ${rx}`);
  if (d.fix) out.push(`${indent}  fix: rx off (${d.command}); tx offloads are not implicated`);
  if (d.knownBugs) out.push(...knownBugLines(d.knownBugs, `${indent}  `, d.ifname));
  if (d.persist) {
    if ('backend' in d.persist) out.push(`${indent}  persist with ${d.persist.backend}: ${d.persist.reason}`);
    else out.push(`${indent}  persistence: ${d.persist.error}`);
  }
  if (d.applied) {
    const turned = d.applied.changes.some((c) => c.name === 'rx-checksum' && !c.after);
    out.push(`${indent}  ${d.applied.dryRun ? 'would turn' : turned ? 'turned' : 'tried to turn'} rx-checksum off`);
  }
  if (d.persisted) {
    const files = d.persisted.files.filter((f) => f.action !== 'unchanged').map((f) => `${f.path} (${f.action})`);
    const verb = d.persisted.dryRun ? 'would persist' : d.persisted.changed ? 'persisted' : 'already persisted';
    out.push(`${indent}  ${verb} with ${d.persisted.backend}${files.length ? `: ${files.join(', ')}` : ''}`);
    for (const n of d.persisted.notes) out.push(`${indent}    note: ${n}`);
  }
  if (d.error) out.push(`${indent}  failed: ${d.error.message}`);
  return out;
}

function findingLines(f: Finding): string[] {
  const times = f.count === 1 ? 'once' : `${f.count} times`;
  let title = f.name;
  if (f.printedName !== f.name) title += ` (printed as ${f.printedName}${f.resolvedBy === 'iif' ? `, found by ifindex ${f.iif}` : ''})`;
  if (f.driver) title += ` [${f.driver} ${f.busId}]`;
  const out = [`${title}: ${times}`];
  out.push(`  first: ${describeSighting(f.first)}`);
  if (f.count > 1) out.push(`  last:  ${describeSighting(f.last)}`);
  if (f.resolvedBy === 'unresolved') {
    out.push(`  the kernel did not say which device${f.iif ? ` (ifindex ${f.iif} is not here)` : ''}: check the NICs whose driver reports CHECKSUM_COMPLETE`);
    return out;
  }
  if (!f.present) {
    out.push('  no such interface here now (renamed, removed, or in another namespace)');
    if (f.knownBugs) out.push(...knownBugLines(f.knownBugs, '  '));
    return out;
  }
  if (f.lower) {
    const many = f.lower.length > 1;
    const below = isStacked(f.kind ?? '') ? `the NIC${many ? 's' : ''} below it:` : `its port${many ? 's' : ''}`;
    out.push(f.lower.length ? `  ${f.name} is a ${f.kind}: the fault is in ${below} ${f.lower.join(', ')}` : `  ${f.name} is a ${f.kind} with no device below it here now`);
  }
  for (const d of f.devices) {
    if (f.driver && d.ifname === f.name && d.driver && d.driver !== f.driver) {
      out.push(`  the log names driver ${f.driver}, but ${d.ifname} here is ${d.driver}: the log may come from another machine or another device of that name`);
    }
    out.push(...deviceLines(d, '  '));
  }
  return out;
}

export function formatReport(report: DoctorReport): string {
  const out: string[] = [];
  out.push(`Read: ${report.sources.join(', ')}`);
  if (report.truncatedLines) out.push(`(${report.truncatedLines} line${report.truncatedLines === 1 ? '' : 's'} longer than ${MAX_LINE_BYTES / 1024} KiB were cut to that length.)`);
  if (!report.found) {
    out.push('No "hw csum failure" found.');
    // After a hang and a power cycle, the ring buffer holds only the new boot.
    if (report.sources.length === 1 && report.sources[0] === KMSG_PATH) {
      out.push('Only this boot\'s kernel ring buffer was read. For earlier boots: --journal (the systemd journal), or --log /var/log/kern.log.');
    }
    out.push(...counterLines(report));
    return `${out.join('\n')}\n`;
  }
  const n = report.findings.length;
  out.push(`Found "hw csum failure" ${report.total === 1 ? 'once' : `${report.total} times`} for ${n} interface${n === 1 ? '' : 's'}.`);
  if (report.oncePerBoot) out.push('This kernel prints it only once per boot, so one sighting is enough and counts say nothing about the rate.');
  if (report.overflow) out.push(`(${report.overflow} more sightings of other names were counted but not listed.)`);
  if (!report.verified) out.push(`Read from ${report.sources.join(', ')}: text anyone who could write it may have forged; only the ring buffer and the system journal come from the kernel itself.`);
  for (const f of report.findings) {
    out.push('');
    out.push(...findingLines(f));
  }
  out.push('');
  const devices = report.findings.flatMap((f) => f.devices);
  const stuck = devices.filter((d) => d.rxChecksum === 'on' && d.rxChecksumFixed).map((d) => d.ifname);
  if (devices.some((d) => d.fix !== null)) {
    out.push('Run "nic-offload doctor --fix" to turn rx-checksum off and persist it.');
  } else if (!report.needsFix) {
    out.push('rx-checksum is off on every implicated device that is here now.');
  }
  if (report.absent) out.push('An interface the kernel named is not here now: nothing is known of its rx-checksum (--netns if it lives in a namespace).');
  if (stuck.length) out.push(`rx-checksum cannot be turned off on ${stuck.join(', ')}.`);
  if (report.needsFix) {
    const upgrade = devices.some((d) => d.knownBugs?.causes.some((c) => c.status === 'fixed'));
    const kernel = upgrade ? 'the kernel upgrade named above (the real fix for that cause)' : 'a newer kernel, where one fixes the cause';
    out.push(`Other remedies: ${kernel}; sysctl net.netfilter.nf_conntrack_checksum=0 avoids only the conntrack path.`);
  }
  out.push(...counterLines(report));
  return `${out.join('\n')}\n`;
}
