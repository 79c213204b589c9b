// The FdWatch readiness callback runs inside libuv, where a C++ exception can only end the process
// (std::terminate): it must survive whatever JavaScript and the environment do around it. Workers
// whose watch fires on every loop turn (a FIFO with unread data) are terminated, exit, throw and
// close from inside the callback, many times over, in a child process that must end normally.
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BINDING = path.join(__dirname, '..', '..', 'dist', 'binding.js');

const CHILD = `
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const fs = require('fs');
if (isMainThread) {
  const [fifo, rounds] = process.argv.slice(2);
  const modes = ['terminate', 'exit', 'throw', 'close', 'terminate-busy'];
  let ended = 0;
  const next = (i) => {
    if (i === Number(rounds)) { console.log(JSON.stringify({ ended })); return; }
    const mode = modes[i % modes.length];
    const w = new Worker(__filename, { workerData: { fifo, mode }, stderr: true });
    w.on('error', () => {});
    w.on('message', () => { if (mode.startsWith('terminate')) setTimeout(() => w.terminate(), i % 7); });
    w.on('exit', () => { ended++; next(i + 1); });
  };
  next(0);
} else {
  const { binding } = require(process.env.NICOFF_BINDING);
  const { fifo, mode } = workerData;
  const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  fs.writeSync(fd, 'x'); // never read: readable on every turn of the loop
  let calls = 0;
  const w = new (binding().FdWatch)(fd, (status) => {
    calls++;
    if (calls === 1) parentPort.postMessage('firing');
    if (calls < 20) return;
    if (mode === 'exit') process.exit(3);
    if (mode === 'throw') throw new Error('thrown from the readiness callback');
    if (mode === 'close') { w.close(); fs.closeSync(fd); }
    if (mode === 'terminate-busy') { const end = Date.now() + 2; while (Date.now() < end); }
  });
  w.start();
}`;

describe('native: FdWatch callback under worker teardown (real kernel)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-fdwatch-'));
    fs.writeFileSync(path.join(dir, 'child.js'), CHILD);
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('workers terminated, exiting, throwing or closing while the callback fires: the process lives on', () => {
    const rounds = 60;
    const r = spawnSync(process.execPath, [path.join(dir, 'child.js'), path.join(dir, 'fifo'), String(rounds)], {
      encoding: 'utf8',
      env: { ...process.env, NICOFF_BINDING: BINDING },
      timeout: 100_000,
    });
    assert.equal(r.signal, null, `the child was killed (${r.signal}): ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ended: rounds });
  });
});
