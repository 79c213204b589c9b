// InCsumErrors from /proc/net/snmp, snmp6 and netstat: parsing real kernel text (test/fixtures/proc-net), and
// where each namespace's counters are read from.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { countsOf, parseSnmp, parseSnmp6, readCsumErrors, readSnmp } from '../../ts/doctor/csum-counters';

const DIR = path.join(__dirname, '..', 'fixtures', 'proc-net');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');

describe('doctor: checksum error counters (/proc/net/snmp, snmp6)', () => {
  it('takes InCsumErrors of every protocol line from its own column, not a neighbour', () => {
    assert.deepEqual(parseSnmp(read('6.18-counting.snmp')), { Icmp: 3, Tcp: 5, Udp: 7, UdpLite: 11 });
    assert.deepEqual(parseSnmp6(read('6.18-counting.snmp6')), { Icmp6: 17, Udp6: 19, UdpLite6: 23 });
    // netstat has the same two-line shape; only IpExt has the counter (TcpExt, MPTcpExt do not).
    assert.deepEqual(parseSnmp(read('6.18-counting.netstat')), { IpExt: 29 });
  });

  it('the verbatim kernel text parses to the same set of counters', () => {
    assert.deepEqual(Object.keys(parseSnmp(read('6.18.snmp'))).sort(), ['Icmp', 'Tcp', 'Udp', 'UdpLite']);
    assert.deepEqual(Object.keys(parseSnmp6(read('6.18.snmp6'))).sort(), ['Icmp6', 'Udp6', 'UdpLite6']);
    assert.deepEqual(Object.keys(parseSnmp(read('6.18.netstat'))), ['IpExt']);
    for (const n of Object.values({ ...parseSnmp(read('6.18.snmp')), ...parseSnmp6(read('6.18.snmp6')) })) assert.ok(Number.isInteger(n) && n >= 0);
  });

  it('the three files concatenated (as cat prints them through nsenter) give all; the total adds up', () => {
    const c = countsOf({ source: 'x', text: read('6.18-counting.snmp') + read('6.18-counting.snmp6') + read('6.18-counting.netstat') });
    assert.deepEqual(c, { source: 'x', counters: { Icmp: 3, Tcp: 5, Udp: 7, UdpLite: 11, IpExt: 29, Icmp6: 17, Udp6: 19, UdpLite6: 23 }, total: 114 });
  });

  it('a kernel before 3.10 (no InCsumErrors) and no snmp6 (ipv6.disable=1): no counters, total 0', () => {
    assert.deepEqual(countsOf({ source: 'old', text: read('3.2.snmp') }), { source: 'old', counters: {}, total: 0 });
  });

  it('text that is not snmp gives nothing; a values line without its header is ignored', () => {
    assert.deepEqual(parseSnmp('Udp: 1 2 3\nhello\n'), {});
    assert.deepEqual(parseSnmp('Udp: InCsumErrors\nTcp: 5\nUdp: 4\n'), { Udp: 4 });
    assert.deepEqual(parseSnmp6('Udp6InCsumErrors 12x\nUdp6InCsumErrors\n'), {});
  });

  it('where the counters are read: this namespace, a process\'s, any other through nsenter', () => {
    assert.equal(readSnmp().source, '/proc/net/snmp');
    assert.equal(readSnmp(`/proc/${process.pid}/ns/net`).source, `/proc/${process.pid}/net/snmp`);
    assert.equal(readSnmp('/proc/self/ns/net').source, '/proc/self/net/snmp');
    // Both read the same kernel file format; this test only needs them to parse.
    assert.ok('Udp' in countsOf(readSnmp()).counters);
  });

  it('a reading that fails is kept as an error with its source, never thrown', () => {
    const missing = readCsumErrors('nicoff-no-such-namespace');
    assert.ok('error' in missing);
    assert.equal(missing.source, 'netns nicoff-no-such-namespace');
    assert.match(missing.error.message, /nsenter .*--net=\/var\/run\/netns\/nicoff-no-such-namespace/);
    const bad = readCsumErrors('a/b');
    assert.ok('error' in bad && bad.error.code === 'ERR_INVALID_NETNS');
    const thrown = readCsumErrors(undefined, () => {
      throw Object.assign(new Error('boom'), { code: 'EACCES' });
    });
    assert.deepEqual(thrown, { source: '/proc/net/snmp', error: { message: 'boom', code: 'EACCES' } });
  });
});
