// Text for people: the doctor's report, and the exit status scripts read.
import { isStacked } from './kinds';
import { KMSG_PATH, MAX_LINE_BYTES } from './log-sources';
import type { DeviceAdvice, DoctorReport, Finding, Sighting } from './report';

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

function deviceLines(d: DeviceAdvice, indent: string): string[] {
  const out: string[] = [];
  const drv = d.driver ? `driver ${d.driver}${d.busInfo ? ` (${d.busInfo})` : ''}` : 'driver unknown';
  let rx: string = `rx-checksum ${d.rxChecksum}`;
  if (d.rxChecksum === 'absent') rx = 'no rx-checksum feature';
  if (d.rxChecksumFixed && d.rxChecksum === 'on') rx += ' [fixed]: it cannot be turned off';
  out.push(`${indent}${d.ifname}: ${drv}; ${rx}`);
  if (d.fix) out.push(`${indent}  fix: rx off (${d.command}); tx offloads are not implicated`);
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
    return out;
  }
  if (f.lower) {
    const many = f.lower.length > 1;
    const below = isStacked(f.kind ?? '') ? `the NIC${many ? 's' : ''} below it:` : `its port${many ? 's' : ''}`;
    out.push(f.lower.length ? `  ${f.name} is a ${f.kind}: the fault is in ${below} ${f.lower.join(', ')}` : `  ${f.name} is a ${f.kind} with no device below it here now`);
  }
  for (const d of f.devices) out.push(...deviceLines(d, '  '));
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
  if (report.needsFix) out.push('Other remedies: a newer kernel; sysctl net.netfilter.nf_conntrack_checksum=0 avoids only the conntrack path.');
  return `${out.join('\n')}\n`;
}
