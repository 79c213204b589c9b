// What is known about "hw csum failure" on the NICs this doctor meets most (the Raspberry Pi's),
// with the public threads each statement comes from. Data only: advice.ts matches it against the
// running kernel and a device's driver; test/unit/doctor-known-bugs.test.ts checks its shape.
//
// Checked against the threads in December 2026. An entry is either a known *cause* of the
// report, or a *separate* fault of the same driver that people confuse with it (a transmit
// checksum bug is never cured by the receive fix, and the receive fix never needs tx off).
import type { KernelRange } from './kernel-release';

export interface KnownBugSource {
  /** "owner/repo#N" (an issue or pull request). */
  ref: string;
  url: string;
  /** What it says that the entry relies on (quoted where quoted). */
  says: string;
}

export interface KnownBug {
  id: string;
  /** 'cause': it makes the kernel print "hw csum failure"; 'separate': another fault of that
   *  driver, with its own symptom, not part of the rx off fix. */
  relation: 'cause' | 'separate';
  /** Driver names as ETHTOOL_GDRVINFO and the 5.16+ log prefix give them. */
  drivers: readonly string[];
  hardware: string;
  /** Affected kernels; absent: no kernel is known to be free of it. */
  kernels?: readonly KernelRange[];
  title: string;
  /** What goes wrong, and where. */
  detail: string;
  /** The state of the thread(s): fixed (and where), or still open. */
  status: 'fixed' | 'open' | 'closed';
  fixedIn?: string;
  remedy: string;
  sources: readonly KnownBugSource[];
}

const RPI = 'https://github.com/raspberrypi/linux';

export const KNOWN_BUGS: readonly KnownBug[] = Object.freeze([
  {
    id: 'pskb-trim-rcsum-2018',
    relation: 'cause',
    drivers: ['smsc95xx', 'lan78xx'],
    hardware: 'Raspberry Pi 1 B/B+, 2 B, 3 B (smsc95xx) and 3 B+ (lan78xx)',
    kernels: [
      { from: '4.14.71', before: '4.14.80' },
      { from: '4.18', before: '4.19' },
    ],
    title: 'the 2018 wave: upstream commit 88078d98d1bb ("net: pskb_trim_rcsum() and CHECKSUM_COMPLETE are friends")',
    detail:
      'In 4.18, and backported to 4.14.71, the stack kept the NIC\'s CHECKSUM_COMPLETE sum while trimming the padding of short frames and got it ' +
      'wrong for odd trim offsets, so good packets were reported as "hw csum failure": the fault was in the kernel, not in the NIC. ' +
      'Fixed upstream by "net: fix pskb_trim_rcsum_slow() with odd trim offset".',
    status: 'fixed',
    fixedIn: '4.19 and 4.14.80',
    remedy:
      'upgrade the kernel to 4.14.80 or later (or 4.19 or later): that is the real fix, and afterwards "nic-offload unpersist IFACE rx" gives the ' +
      'offload back; until then rx off stops the reports',
    sources: [
      { ref: 'raspberrypi/linux#2659', url: `${RPI}/issues/2659`, says: 'lan78xx (Pi 3B+) on 4.18.4: asked to try rx off and tx off separately, the reporter answers "`ethtool -K eth0 rx off` does the trick"' },
      { ref: 'raspberrypi/linux#2712', url: `${RPI}/issues/2712`, says: 'the same report on the SMSC9514 (smsc95xx, Pi 3B) with the 4.18 kernel' },
      { ref: 'raspberrypi/linux#2713', url: `${RPI}/issues/2713`, says: '4.14.74 on a Pi 3B+: "the latest rpi-update solves it; due to 6bf32cda46ebfbaf13da3c48a0a009adae925703 being reverted"' },
      { ref: 'raspberrypi/linux#2716', url: `${RPI}/pull/2716`, says: 'reverts 88078d98d1bb on 4.18: people report "hw csum failure" "on 4.18, and since 4.14.71, on both SMSC9514 and LAN7800 adapters"' },
      { ref: 'raspberrypi/linux#2717', url: `${RPI}/pull/2717`, says: 'the same revert for 4.14 (the backport 6bf32cda46eb); "The upstream fix is on 4.19 kernel tree but hasn\'t reached 4.14"; on 2018-11-05 the rpi-update kernel drops the revert for the upstream fix' },
      { ref: 'OpenCCU/OpenCCU#449', url: 'https://github.com/OpenCCU/OpenCCU/issues/449', says: 'seen since the Raspberry Pi kernel 4.14.71; the maintainer expects it gone with the next release, "which uses the Raspberry Pi kernel based on 4.14.80" (translated)' },
    ],
  },
  {
    id: 'lan78xx-vlan-2018',
    relation: 'cause',
    drivers: ['lan78xx'],
    hardware: 'Raspberry Pi 3 B+ (lan78xx)',
    kernels: [{ before: '4.14.33' }],
    title: 'lan78xx receive checksums of VLAN-tagged frames',
    detail:
      'The LAN78xx gave wrong receive sums for VLAN-tagged frames, so ping, TCP and UDP over a VLAN logged "hw csum failure". The Raspberry Pi ' +
      'kernel fixed it in April 2018: the stack checks VLAN-tagged frames in software (PR #2501), and the NIC strips VLAN headers (PR #2502).',
    status: 'fixed',
    fixedIn: 'the Raspberry Pi kernel 4.14.33 ("Fixes for this issue are all after 4.14.32")',
    remedy: 'upgrade the kernel (4.14.33 or later); until then rx off stops the reports',
    sources: [
      { ref: 'raspberrypi/linux#2458', url: `${RPI}/issues/2458`, says: '4.14.27 on a Pi 3B+ with VLANs; the maintainer: "Fixes for this issue are all after 4.14.32 (4.14.33 has just been released)"' },
      { ref: 'raspberrypi/linux#2501', url: `${RPI}/pull/2501`, says: '"net: lan78xx: Request s/w csum check on VLAN tagged packets": "the checksum computed on a VLAN tagged packet is incorrect"' },
      { ref: 'raspberrypi/linux#2502', url: `${RPI}/pull/2502`, says: '"LAN78xx VLAN checksum fix": "Implementing VLAN header stripping in the LAN78xx appears to make the checksum issues go away"' },
    ],
  },
  {
    id: 'bcmgenet-pi4',
    relation: 'cause',
    drivers: ['bcmgenet'],
    hardware: 'Raspberry Pi 4 and CM4 (bcmgenet)',
    title: 'bcmgenet on the Raspberry Pi 4: reports with no known fix',
    detail:
      'Logs fill with "hw csum failure" on 5.10 and later kernels, also on two machines at once, and it was still reported in 2023. A maintainer: ' +
      '"likely to be a bug in the GENET Ethernet controller, or more likely its driver." No kernel is known to fix it.',
    status: 'open',
    remedy: 'rx off, persisted; no kernel upgrade is known to help',
    sources: [
      { ref: 'raspberrypi/linux#4184', url: `${RPI}/issues/4184`, says: 'open: two Pi 4s on 5.10.11 "rapidly filling up" syslog; "likely to be a bug in the GENET Ethernet controller, or more likely its driver"; still seen in 2023' },
      { ref: 'raspberrypi/linux#4236', url: `${RPI}/issues/4236`, says: 'open: Pi 4 on 5.10.17 flooded the same way; a 2023 report prints "bcmgenet fd580000.ethernet eth0: hw csum failure"' },
    ],
  },
  {
    id: 'smsc95xx-tx-2965',
    relation: 'separate',
    drivers: ['smsc95xx'],
    hardware: 'Raspberry Pi 1 B/B+, 2 B, 3 B (smsc95xx)',
    title: 'smsc95xx transmit checksums: TCP packets sent with a wrong sum',
    detail:
      'The NIC\'s transmit checksum offload put a wrong sum on outgoing TCP packets, so connections to some hosts never got through the ' +
      'handshake (a capture at the router showed it; Pi 3B, 4.19.40). Nothing is logged on the Pi: it is not "hw csum failure", and rx off ' +
      'neither causes nor cures it.',
    status: 'closed',
    remedy:
      'where connections hang and a capture taken on another machine shows bad sums from this one: tx off makes the stack compute transmit ' +
      'sums itself; it is not part of the "hw csum failure" fix',
    sources: [
      { ref: 'raspberrypi/linux#2965', url: `${RPI}/issues/2965`, says: '"Incorrect TCP checksum generated with HW offloading": "An incorrect checksum is computed, resulting in a non-working TCP handshake."' },
    ],
  },
  {
    id: 'macb-rp1-tx-7550',
    relation: 'separate',
    drivers: ['macb'],
    hardware: 'Raspberry Pi 5 (the RP1\'s Cadence GEM, driver macb)',
    title: 'RP1 transmit checksums: IPv4 UDP sent with 0x0000 when the sum is zero',
    detail:
      'The RP1 GEM\'s transmit offload writes 0x0000 where RFC 768 wants 0xffff, which on the wire means "no checksum": receivers accept the ' +
      'packet unchecked. It is not "hw csum failure" (and no InCsumErrors counter sees it); it silently drops the integrity check.',
    status: 'open',
    remedy:
      'a candidate driver fix is raspberrypi/linux PR #7552 ("rpi-update pulls/7552"); meanwhile tx off makes the stack compute the sums ' +
      '("When checksum calculation was performed in software, the same test produced 0xffff"); it is not part of the "hw csum failure" fix',
    sources: [
      { ref: 'raspberrypi/linux#7550', url: `${RPI}/issues/7550`, says: 'open: "the RP1 GEM TX checksum-offload path emitted an IPv4 UDP checksum of `0x0000` when the calculated checksum was zero"' },
      { ref: 'raspberrypi/linux#7552', url: `${RPI}/pull/7552`, says: 'open: "macb1 checksum fixes", a candidate fix for #7550 that computes UDP checksums in software' },
    ],
  },
] satisfies KnownBug[]);
