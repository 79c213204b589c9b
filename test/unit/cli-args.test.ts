// The CLI's shell: argument parsing, help, version, and loading only what a command needs.
import assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from '../../ts/cli/args';
import { COMMANDS } from '../../ts/cli/registry';
import { cli, ROOT } from '../helpers/cli-run';
import { run } from '../helpers/netns';

describe('cli: arguments, help, version', () => {
  describe('parseArgs', () => {
    const spec = { flags: ['json', 'check'], options: ['netns', 'root'] };

    it('positionals, flags and options in any order, --opt VALUE and --opt=VALUE', () => {
      const a = parseArgs('x', ['eth0', '--json', 'rx', '--netns', 'blue', 'off', '--root=/tmp/r'], spec);
      assert.deepEqual(a.positionals, ['eth0', 'rx', 'off']);
      assert.deepEqual([...a.flags], ['json']);
      assert.deepEqual(Object.fromEntries(a.options), { netns: 'blue', root: '/tmp/r' });
    });

    it('-- ends the options; a lone - is a positional', () => {
      const a = parseArgs('x', ['-', '--', '--json'], spec);
      assert.deepEqual(a.positionals, ['-', '--json']);
      assert.equal(a.flags.size, 0);
    });

    it('unknown options, a missing value, a value on a flag: usage errors that name the command', () => {
      assert.throws(() => parseArgs('x', ['--jsn'], spec), { code: 'ERR_USAGE', message: /^x: unknown option --jsn \(it takes --json, --check, --netns, --root\); run "nic-offload help x"$/ });
      assert.throws(() => parseArgs('x', ['--netns'], spec), { code: 'ERR_USAGE', message: /--netns needs a value/ });
      assert.throws(() => parseArgs('x', ['--netns', '--json'], spec), { code: 'ERR_USAGE', message: /--netns needs a value/ });
      assert.throws(() => parseArgs('x', ['--json=yes'], spec), { code: 'ERR_USAGE' });
    });
  });

  describe('help and version', () => {
    it('--version prints the package version', async () => {
      const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      assert.deepEqual(await cli(['--version']), { stdout: `${version}\n`, stderr: '', status: 0 });
    });

    it('--help lists every command and the Raspberry Pi example', async () => {
      const r = await cli(['--help']);
      assert.equal(r.status, 0);
      for (const name of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
      assert.match(r.stdout, /nic-offload persist eth0 rx off\n/);
    });

    for (const name of ['show', 'set']) {
      it(`help ${name} and ${name} --help print the same text, with examples`, async () => {
        const a = await cli(['help', name]);
        assert.equal(a.status, 0);
        assert.deepEqual(await cli([name, '--help']), a);
        assert.match(a.stdout, new RegExp(`^Usage: nic-offload ${name} `));
        assert.match(a.stdout, /\nExamples:\n/);
      });
    }

    it('set --help documents the exit statuses and the Raspberry Pi case', async () => {
      const r = await cli(['help', 'set']);
      assert.match(r.stdout, /nic-offload set eth0 rx off +# Raspberry Pi/);
      for (const code of ['0', '1', '2', '92']) assert.match(r.stdout, new RegExp(`\\b${code}\\b`));
    });

    it('an unknown command: one line, exit 1', async () => {
      const r = await cli(['shwo']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^nic-offload: unknown command "shwo"; run "nic-offload --help"\n$/);
    });
  });

  describe('start-up', () => {
    // Which of our modules a command loads, seen from inside a fresh process.
    function loaded(argv: string[]): string[] {
      const script = `
        const { main } = require(${JSON.stringify(path.join(ROOT, 'ts/cli/main.ts'))});
        const io = { out() {}, err() {}, env: {}, isTTY: false, stdin: process.stdin };
        main(${JSON.stringify(argv)}, io).then(() => {
          const root = ${JSON.stringify(path.join(ROOT, 'ts') + path.sep)};
          console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.startsWith(root)).map((k) => k.slice(root.length))));
        });`;
      const r = run(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script]);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!);
    }

    it('--help loads no command and not the native addon', () => {
      const mods = loaded(['--help']);
      assert.ok(!mods.some((m) => m.startsWith('cli/commands/')), mods.join(' '));
      assert.ok(!mods.includes('binding.ts') && !mods.includes('device.ts'), mods.join(' '));
    });

    it('help show loads only the show command', () => {
      const cmds = loaded(['help', 'show']).filter((m) => m.startsWith('cli/commands/'));
      assert.deepEqual(cmds, ['cli/commands/show.ts']);
    });
  });
});
