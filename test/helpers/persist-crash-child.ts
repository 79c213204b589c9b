// Child process for the crash tests: writes forever until killed -9.
//   write FILE      alternates two large contents through writeSystemFile (persist's atomic write)
//   persist ROOT IF alternates persist(IF, {rx: false}) and persist(IF, {rx: true}) (no live apply)
import { writeSystemFile } from '../../ts/persist/system-files';
import { persist } from '../../ts/persist';

export const BIG_A = Buffer.alloc(4 << 20, 'A');
export const BIG_B = Buffer.alloc(3 << 20, 'B');

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  if (mode === 'write') {
    for (let i = 0; ; i++) {
      writeSystemFile('/', a, i % 2 ? BIG_B : BIG_A, 0o644);
      if (i === 0) process.stdout.write('ready\n');
    }
  }
  for (let i = 0; ; i++) {
    await persist(b, { rx: i % 2 === 1 }, { root: a, apply: false, backend: 'systemd-link' });
    if (i === 0) process.stdout.write('ready\n');
  }
}

if (require.main === module) void main();
