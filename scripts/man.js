'use strict';
// Writes man/nic-offload.1 from the CLI's own help texts (the top-level usage and every
// command's help), so the man page cannot drift from `nic-offload help`. Run by build:ts.
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const { usage } = require(path.join(root, 'dist', 'cli', 'main.js'));
const { COMMANDS, loadCommand } = require(path.join(root, 'dist', 'cli', 'registry.js'));
const { version } = require(path.join(root, 'package.json'));

/** Text as roff: backslashes escaped, no line taken for a request (leading "." or "'"). */
function roff(text) {
  return text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}
const verbatim = (text) => `.nf\n${roff(text.replace(/\n+$/, ''))}\n.fi\n`;

const out = [
  `.TH NIC-OFFLOAD 1 "" "nic-offload ${version}" "User Commands"`,
  '.SH NAME',
  'nic-offload \\- read and change Linux NIC offload features (ethtool \\-k/\\-K), make them persist, and',
  'find and fix "hw csum failure"',
  '.SH SYNOPSIS',
  verbatim(usage()),
  '.SH COMMANDS',
];
for (const name of Object.keys(COMMANDS)) {
  out.push(`.SS ${name}`, verbatim(loadCommand(name).help));
}
out.push(
  '.SH FILES',
  '.TP',
  '/var/lib/nic-offload/persisted.json',
  'what persist recorded (under \\-\\-root when given)',
  '.SH SEE ALSO',
  'ethtool(8), systemd.link(5), nm-settings-nmcli(5), interfaces(5), udev(7);',
  `the documents installed with the package: ${path.join('docs', '*.md')}`,
  '',
);
fs.mkdirSync(path.join(root, 'man'), { recursive: true });
fs.writeFileSync(path.join(root, 'man', 'nic-offload.1'), out.join('\n'));
