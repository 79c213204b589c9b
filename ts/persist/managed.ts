// Marks on files the package owns, so it never mistakes (or removes) a file a person wrote.
import { createHash } from 'crypto';

/** First line of every file nic-offload owns (comment syntax `#` works in all of them). */
export function ownedHeader(ifname: string): string {
  return `# Managed by nic-offload: "nic-offload unpersist ${ifname}" removes this file. Do not edit.\n`;
}

export function isOwned(data: Buffer | null): boolean {
  return data !== null && data.subarray(0, 64).toString('utf8').startsWith('# Managed by nic-offload');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
