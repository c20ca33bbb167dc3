#!/usr/bin/env python3
# Seeds for the libFuzzer harnesses (docs/testing.md).
#
#   seeds.py corpus           rewrites the committed tests/fuzz/corpus/<harness>/
#                             from tests/fixtures/protocol/*.json and the
#                             small cases below
#   seeds.py hostile DIR      writes the large hostile inputs (deep nesting
#                             hidden from a naive bracket count, long strings)
#                             to DIR/<harness>/; they are generated, not
#                             committed, because they are up to 200 KB each
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'protocol')
HARNESSES = ['protocol', 'router', 'iceconfig', 'remote-sdp']


def write(dirname, data, name=None):
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogatepass')
    os.makedirs(dirname, exist_ok=True)
    if name is None:
        name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(dirname, name), 'wb') as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False)


SDP_OFFER = (
    'v=0\r\n'
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n'
    's=-\r\n'
    't=0 0\r\n'
    'a=group:BUNDLE 0 1\r\n'
    'a=msid-semantic: WMS\r\n'
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n'
    'c=IN IP4 0.0.0.0\r\n'
    'a=rtcp:9 IN IP4 0.0.0.0\r\n'
    'a=ice-ufrag:EsAw\r\n'
    'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n'
    'a=ice-options:trickle\r\n'
    'a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:'
    'BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E\r\n'
    'a=setup:actpass\r\n'
    'a=mid:0\r\n'
    'a=sendrecv\r\n'
    'a=rtcp-mux\r\n'
    'a=rtcp-rsize\r\n'
    'a=rtpmap:96 VP8/90000\r\n'
    'a=rtcp-fb:96 nack pli\r\n'
    'a=rtcp-fb:96 ccm fir\r\n'
    'a=rtpmap:97 H264/90000\r\n'
    'a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;'
    'profile-level-id=42e01f\r\n'
    'a=ssrc:1 cname:x\r\n'
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n'
    'c=IN IP4 0.0.0.0\r\n'
    'a=mid:1\r\n'
    'a=recvonly\r\n'
    'a=rtpmap:111 opus/48000/2\r\n'
    'a=fmtp:111 minptime=10;useinbandfec=1\r\n'
    'a=rtpmap:0 PCMU/8000\r\n'
    'a=candidate:842163049 1 udp 1677729535 192.0.2.7 46154 typ srflx '
    'raddr 0.0.0.0 rport 0 generation 0\r\n'
    'a=end-of-candidates\r\n')
SDP_ANSWER = SDP_OFFER.replace('actpass', 'active').replace('sendrecv',
                                                            'recvonly')

# One router script: (op, frame) where op is ('c', n) connect,
# ('d', n) disconnect, ('t', n, text) a frame from client n,
# ('ice', on) the server's ICE servers set or cleared.
ROUTER_SCRIPTS = [
    # producer and consumer in a room, full negotiation, then hang-ups
    [('c', 0), ('c', 1),
     ('t', 0, {'type': 'setProtocolVersion', 'version': 'v1_1'}),
     ('t', 0, {'type': 'setPeerStatus', 'roles': ['producer'],
               'meta': {'room': 'r', 'name': 'cam'}}),
     ('t', 1, {'type': 'setPeerStatus', 'roles': ['listener', 'consumer'],
               'meta': {'room': 'r'}}),
     ('t', 1, {'type': 'list'}),
     ('t', 1, {'type': 'startSession', 'peerId': '@0'}),
     ('t', 0, {'type': 'peer', 'sessionId': '@s',
               'sdp': {'type': 'offer', 'sdp': 'v=0\r\n'}}),
     ('t', 1, {'type': 'peer', 'sessionId': '@s',
               'sdp': {'type': 'answer', 'sdp': 'v=0\r\n'}}),
     ('t', 1, {'type': 'peer', 'sessionId': '@s',
               'ice': {'candidate': 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
                       'sdpMLineIndex': 0}}),
     ('t', 0, {'type': 'endSessionV1_1', 'sessionId': '@s', 'error': 'bye'}),
     ('d', 1), ('d', 0)],
    # consumer-initiated session with an offer, producer leaves mid-session
    [('c', 0), ('c', 1), ('c', 2),
     ('t', 0, {'type': 'setPeerStatus', 'roles': ['producer'], 'meta': None}),
     ('t', 2, {'type': 'setPeerStatus', 'roles': ['listener']}),
     ('t', 1, {'type': 'startSession', 'peerId': '@0', 'offer': 'v=0\r\n'}),
     ('t', 1, {'type': 'listConsumers'}),
     ('t', 0, {'type': 'listConsumers'}),
     ('d', 0),
     ('t', 1, {'type': 'endSession', 'sessionId': '@s'})],
    # mesh participants in two rooms
    [('c', 0), ('c', 1), ('c', 2), ('c', 3), ('ice', True),
     ('t', 0, {'type': 'setPeerStatus',
               'roles': ['producer', 'consumer', 'listener'],
               'meta': {'room': 'a'}}),
     ('t', 1, {'type': 'setPeerStatus',
               'roles': ['producer', 'consumer', 'listener'],
               'meta': {'room': 'a'}}),
     ('t', 2, {'type': 'setPeerStatus', 'roles': ['producer', 'listener'],
               'meta': {'room': 'b'}}),
     ('t', 3, {'type': 'startSession', 'peerId': '@2'}),
     ('t', 2, {'type': 'startSession', 'peerId': '@0'}),
     ('t', 0, {'type': 'startSession', 'peerId': '@1'}),
     ('ice', False),
     ('t', 1, {'type': 'setPeerStatus', 'roles': [], 'meta': {'room': 'b'}}),
     ('d', 2), ('c', 2), ('d', 3)],
    # garbage and errors
    [('c', 0), ('t', 0, 'not json'), ('t', 0, '{"type":"bogus"}'),
     ('t', 0, {'type': 'peer', 'sessionId': 'nope',
               'sdp': {'type': 'offer', 'sdp': ''}}),
     ('t', 0, {'type': 'setProtocolVersion', 'version': 'v1_1'}),
     ('t', 0, {'type': 'startSession', 'peerId': '@0'}),
     ('t', 0, {'type': 'startSession', 'peerId': 'unknown'})],
]


def router_bytes(script):
    out = bytearray()
    for op in script:
        if op[0] == 'c':
            out.append(op[1])
        elif op[0] == 'd':
            out.append(4 | op[1])
        elif op[0] == 'ice':
            out.append(12 | (1 if op[1] else 0))
        else:
            text = op[2] if isinstance(op[2], str) else compact(op[2])
            out.append(8 | op[1])
            out += text.encode() + b'\n'
    return bytes(out)


ICE_SEEDS = [
    [{'urls': 'stun:stun.example.org:3478'}],
    [{'urls': ['stun:192.0.2.1', 'stun:[2001:db8::1]:3479']},
     {'urls': ['turn:turn.example.org:3478?transport=udp',
               'turns:turn.example.org?transport=tcp'],
      'username': 'u', 'credential': 'p:w/+@='}],
    {'iceServers': [{'urls': 'turn:127.0.0.1', 'username': 'a',
                     'credential': 'b', 'credentialType': 'password'}],
     'iceTransportPolicy': 'relay'},
    {'urls': 'stun:a'},
    {'username': '1700000000:alice', 'password': 'secret', 'ttl': 86400,
     'uris': ['turn:192.0.2.1:3478?transport=udp',
              'turn:192.0.2.1:3478?transport=tcp']},
    [{'urls': 'turn:a'}],
    [{'urls': 'stuns:a:5349'}],
    [{'urls': 'http://a'}],
    [{'urls': 'turn:alice:pw@a:3478'}],
    [{'urls': 'stun:a:99999'}],
    [{'urls': []}],
    [],
    {},
]


def corpus():
    base = os.path.join(HERE, 'corpus')
    for h in HARNESSES:
        d = os.path.join(base, h)
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
    with open(os.path.join(FIXTURES, 'valid.json')) as f:
        valid = json.load(f)
    with open(os.path.join(FIXTURES, 'invalid.json')) as f:
        invalid = json.load(f)
    proto = os.path.join(base, 'protocol')
    for e in valid:
        write(proto, compact(e['input']))
    for e in invalid:
        i = e['input']
        write(proto, i if isinstance(i, str) else compact(i))
    # small hostile shapes; the large ones come from "hostile"
    for s in ['[\'"\', ' + '[' * 64, '/* " */' + '[' * 64,
              '// "\n' + '[' * 64, '#"\n' + '[' * 64, '["#"' + '[' * 64,
              '{"a":' * 40 + '1' + '}' * 40,
              '{"type":\'list\'}', '{"type":"list",}', '{type:"list"}',
              '{"type":"list"} // x', '{"type":0x10}', '\ufeff{"type":"list"}']:
        write(proto, s)
    router = os.path.join(base, 'router')
    for script in ROUTER_SCRIPTS:
        write(router, router_bytes(script))
    for e in valid[:12]:
        write(router, bytes([0, 8]) + compact(e['input']).encode() + b'\n')
    ice = os.path.join(base, 'iceconfig')
    for s in ICE_SEEDS:
        write(ice, compact(s))
    write(ice, '[{"urls": ')
    sdp = os.path.join(base, 'remote-sdp')
    write(sdp, SDP_OFFER)
    write(sdp, SDP_ANSWER)
    write(sdp, 'v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'
          'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n')
    write(sdp, 'v=0\r\n')
    write(sdp, SDP_OFFER.replace('\r\n', '\n'))
    for e in valid:
        i = e['input']
        if i.get('type') == 'peer' and 'sdp' in i:
            write(sdp, i['sdp']['sdp'])


def deep(prefix, n=50000):
    return prefix + '[' * n


def hostile(out):
    cases = [
        deep('[\'"\', '),                  # single-quoted string hides [
        deep('[\'"\', ') + ']' * 50000,
        # json-glib 1.6 overflows an 8 MB stack (under ASan) only past
        # about 100000 levels
        deep('[\'"\', ', 200000),
        deep('/* " */', 200000),
        deep('/* " */'),                   # C comment hides a quote
        deep('[/* " */'),
        deep('// "\n'),                    # line comment hides a quote
        deep('#"\n'),                      # GScanner '#' comment
        deep('["#"\n'),
        deep('[#"\n'),
        '{"a":' * 20000 + '1' + '}' * 20000,
        '{"type":"error","details":"' + 'x' * 200000 + '"}',
        '{"type":"error","details":"' + 'x' * 60000 + '"}',
        '"' + 'x' * 200000,
        '{"type":"list","meta":' + '{"a":' * 10000 + '1' + '}' * 10000 + '}',
        '[' * 50000 + ']' * 50000,
    ]
    for h in ['protocol', 'iceconfig']:
        for c in cases:
            write(os.path.join(out, h), c)
    for c in cases[:4] + cases[8:10]:
        write(os.path.join(out, 'router'), b'\x00\x08' + c.encode() + b'\n')
    sdp = os.path.join(out, 'remote-sdp')
    write(sdp, SDP_OFFER + 'a=x:' + 'y' * 60000 + '\r\n')
    # refused by rtc_peer_session_set_remote_description() (more than
    # RTC_PEER_SESSION_MAX_MEDIA m-lines) after attach_tracks_to_offer()
    # walked them all
    write(sdp, 'v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'
          + 'm=video 9 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n' * 1500)
    # taken: RTC_PEER_SESSION_MAX_MEDIA (16) m-lines of 100 formats each,
    # for webrtcbin's accessors, the copy and the round trip
    pts = range(96, 196)
    write(sdp, 'v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'
          + ('m=video 9 UDP/TLS/RTP/SAVPF ' + ' '.join(map(str, pts)) + '\r\n'
             + ''.join('a=rtpmap:%d VP8/90000\r\n' % pt for pt in pts)) * 16)


if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == 'corpus':
        corpus()
    elif len(sys.argv) == 3 and sys.argv[1] == 'hostile':
        hostile(sys.argv[2])
    else:
        sys.exit(__doc__ if False else 'usage: seeds.py corpus | hostile DIR')
