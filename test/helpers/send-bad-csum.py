#!/usr/bin/env python3
# Sends Ethernet frames whose transport checksum is wrong, through an AF_PACKET socket on DEV, to the
# host at DST_MAC / 10.77.0.1 / fd77::1 (test/kernel/doctor-counters.test.ts runs it inside a
# throwaway namespace only). Each KIND=N sends N frames: udp4, tcp4, icmp4, udp6, icmp6 (a wrong
# transport checksum), ip4hdr (a good UDP datagram in an IPv4 header with a wrong checksum). The
# receiving stack must drop each one and count it in an InCsumErrors counter.
#   send-bad-csum.py DEV DST_MAC udp4=2 tcp4=1 ...
import socket
import struct
import sys

SRC_MAC = bytes.fromhex('020000000002')
SRC4, DST4 = socket.inet_aton('10.77.0.2'), socket.inet_aton('10.77.0.1')
SRC6, DST6 = socket.inet_pton(socket.AF_INET6, 'fd77::2'), socket.inet_pton(socket.AF_INET6, 'fd77::1')


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def wrong(good):
    """A checksum that is not the right one and not 0 (0 means "none" for UDP over IPv4)."""
    bad = good ^ 0x5A5A
    return bad if bad not in (0, good) else 0x1234


def with_sum(segment, at, pseudo):
    """The segment with the checksum at offset `at` set to a wrong value."""
    good = csum(pseudo + segment[:at] + b'\0\0' + segment[at + 2:])
    return segment[:at] + struct.pack('!H', wrong(good)) + segment[at + 2:]


def ipv4(proto, segment, bad_header=False):
    pseudo = SRC4 + DST4 + struct.pack('!BBH', 0, proto, len(segment))
    at = {17: 6, 6: 16, 1: 2}[proto]
    if proto == 1:
        pseudo = b''  # ICMP sums its own message only
    if bad_header:
        segment = segment[:at] + struct.pack('!H', csum(pseudo + segment)) + segment[at + 2:]
    else:
        segment = with_sum(segment, at, pseudo)
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(segment), 1, 0, 64, proto, 0, SRC4, DST4)
    good = csum(header)
    header = header[:10] + struct.pack('!H', wrong(good) if bad_header else good) + header[12:]
    return b'\x08\x00' + header + segment


def ipv6(proto, segment):
    pseudo = SRC6 + DST6 + struct.pack('!IxxxB', len(segment), proto)
    segment = with_sum(segment, {17: 6, 58: 2}[proto], pseudo)
    header = struct.pack('!IHBB16s16s', 6 << 28, len(segment), proto, 64, SRC6, DST6)
    return b'\x86\xdd' + header + segment


UDP = struct.pack('!HHHH', 40000, 40001, 12, 0) + b'csum'
TCP = struct.pack('!HHIIBBHHH', 40000, 40002, 1, 0, 5 << 4, 0x02, 1024, 0, 0)  # a SYN
ICMP4 = struct.pack('!BBHHH', 8, 0, 0, 7, 1) + b'ping'
ICMP6 = struct.pack('!BBHHH', 128, 0, 0, 7, 1) + b'ping'
FRAMES = {
    'udp4': lambda: ipv4(17, UDP),
    'tcp4': lambda: ipv4(6, TCP),
    'icmp4': lambda: ipv4(1, ICMP4),
    'udp6': lambda: ipv6(17, UDP),
    'icmp6': lambda: ipv6(58, ICMP6),
    'ip4hdr': lambda: ipv4(17, UDP, bad_header=True),
}


def main():
    dev, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', ''))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for arg in sys.argv[3:]:
        kind, n = arg.split('=')
        for _ in range(int(n)):
            s.send(dst + SRC_MAC + FRAMES[kind]())
    s.close()


main()
