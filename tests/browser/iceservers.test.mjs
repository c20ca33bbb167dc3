// End-to-end: rtciceservers + rtcmeshfanout's embedded signalling server +
// a real TURN server (coturn, TURN REST secret) + headless Chromium with
// iceTransportPolicy 'relay' (the page's ?relay=1). The page must get its
// ICE servers, with working credentials, from the server, and play through
// the relay only; with a wrong secret it must not play, and rtciceservers
// must say why.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness, freePort, sleep } from './lib/harness.mjs';
import { framesDecoded, pageState, waitForFramesDecoded, waitForSmpteBars } from './lib/playback.mjs';

const TURN_SECRET = 'north-wind-7';
// coturn -v log lines for requests it granted or refused.
const PERMISSION_GRANTED = /CREATE_PERMISSION processed, success/;
const CHANNEL_BOUND = /CHANNEL_BIND processed, success/;
const REST_USER_REFUSED = /user <\d+:gst-meshrtc>: incoming packet \S+ processed, error 401/;
const TURN_REALM = 'test.local';
// Number of relay ports coturn may hand out.
const RELAY_PORTS = 200;
// The whole negative case must settle within this.
const NEGATIVE_BOUND_MS = 30000;

// rtciceservers' warning when a webrtcbin gathered no relay candidate
// (docs/rtciceservers.md, "Messages"), as gst-launch prints it.
const NO_RELAY_WARNING = /No TURN relay candidate was gathered/;
const NO_RELAY_WARNING_FROM_ELEMENT =
  /^WARNING: from element \/GstPipeline:pipeline0\/GstRtcIceServers:rtciceservers0: No TURN relay candidate was gathered/;
// First frame within this (the page's own connect timeout is 10 s).
const FIRST_FRAME_MS = 10000;

function haveProgram(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0;
}

function tcpPortOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// coturn on 127.0.0.1 with TURN REST authentication (use-auth-secret), on a
// free port, relaying from its own port range. The harness kills it by PID
// after the test; setpriv --pdeathsig also takes it down if this node
// process dies first.
async function startTurn(t, h, { secret = TURN_SECRET } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshrtc-turn-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const minPort = Math.min(await freePort(), 65535 - RELAY_PORTS);
  const maxPort = minPort + RELAY_PORTS - 1;
  const args = [
    '-n', '-v',
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    `--min-port=${minPort}`, `--max-port=${maxPort}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, `--realm=${TURN_REALM}`,
    '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers', '--fingerprint',
    '--log-file=stdout', '--simple-log',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`, `--db=${path.join(dir, 'turndb')}`,
  ];
  const proc = haveProgram('setpriv') ?
    h.spawn('turnserver', 'setpriv', ['--pdeathsig', 'TERM', 'turnserver', ...args]) :
    h.spawn('turnserver', 'turnserver', args);
  await h.waitFor(`coturn listens on 127.0.0.1:${port}`, async () => {
    if (proc.exited)
      throw h.error(`turnserver exited (code ${proc.exitCode}, signal ${proc.exitSignal})`);
    return tcpPortOpen(port);
  }, { timeoutMs: 10000, intervalMs: 100 });
  return { proc, port, minPort, maxPort, url: `turn:127.0.0.1:${port}` };
}

// rtcmeshfanout serving the page, configured by rtciceservers for relay only
// with TURN REST credentials made from @secret. gst-launch -m prints every
// bus message, rtciceservers' warnings included.
async function startFanout(h, turn, { secret }) {
  const port = await freePort();
  const pageUrl = `http://127.0.0.1:${port}/`;
  const iceServers = JSON.stringify([{ urls: turn.url }]);
  const pipeline =
    `rtciceservers ice-servers=${iceServers} turn-secret=${secret} ice-transport-policy=relay ` +
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcmeshfanout run-signalling-server=true uri=ws://127.0.0.1:${port} ` +
    'ice-local-addresses=127.0.0.1 peer-name=cam';
  // Untranslated messages, so that the warning text can be matched.
  const proc = h.spawn('gst-fanout', 'stdbuf', ['-oL', 'gst-launch-1.0', '-m', ...pipeline.split(/\s+/)],
    { env: { LC_ALL: 'C', LANGUAGE: '' } });
  await proc.waitForLine(new RegExp(pageUrl.replace(/[.]/g, '\\.'))).catch((err) => {
    throw h.error(`rtcmeshfanout did not announce ${pageUrl}: ${err.message}`);
  });
  await h.waitFor(`the embedded server serves ${pageUrl}`, async () => {
    const res = await fetch(pageUrl);
    return res.ok && /viewer\.js/.test(await res.text());
  }, { timeoutMs: 10000 });
  return { proc, pageUrl };
}

// TURN REST credentials as coturn checks them (draft-uberti-behave-turn-rest
// §2.2): password = base64(HMAC-SHA1(secret, username)).
function turnRestPassword(secret, username) {
  return crypto.createHmac('sha1', secret).update(username).digest('base64');
}

function urlsOf(server) {
  return Array.isArray(server.urls) ? server.urls : [server.urls];
}

// The selected candidate pair of the page's peer connection, with both
// candidates, from getStats().
async function selectedPair(page) {
  return page.evaluate(async () => {
    const pc = window.meshrtc.pc;
    if (!pc)
      return null;
    const stats = await pc.getStats();
    let pair = null;
    for (const r of stats.values()) {
      if (r.type === 'transport' && r.selectedCandidatePairId)
        pair = stats.get(r.selectedCandidatePairId);
    }
    if (!pair)
      return null;
    const cand = (id) => {
      const c = stats.get(id);
      return c ? {
        candidateType: c.candidateType, address: c.address, port: c.port,
        protocol: c.protocol, relayProtocol: c.relayProtocol, url: c.url,
      } : null;
    };
    return {
      state: pair.state,
      bytesReceived: pair.bytesReceived,
      local: cand(pair.localCandidateId),
      remote: cand(pair.remoteCandidateId),
    };
  });
}

function requireTurnserver() {
  if (!haveProgram('turnserver'))
    throw new Error('turnserver (coturn) is not installed: apt-get install coturn');
}

test('rtciceservers: a relay-only Chromium page gets its ICE servers from rtcmeshfanout and plays through coturn', async (t) => {
  requireElements('rtciceservers', 'rtcmeshfanout');
  requireTurnserver();
  const h = createHarness(t);
  const turn = await startTurn(t, h);
  const fanout = await startFanout(h, turn, { secret: TURN_SECRET });

  const page = await h.openPage(`${fanout.pageUrl}?name=cam&relay=1`, { label: 'relay-viewer' });

  // The server's iceServers message: our TURN server, with TURN REST
  // credentials coturn will accept (checked here with the same HMAC).
  const iceServers = await h.waitFor('the page has received iceServers from the server',
    () => page.evaluate(() => (window.meshrtc.iceServers.length ? window.meshrtc.iceServers : null)),
    { timeoutMs: 10000 });
  assert.equal(iceServers.length, 1, `iceServers: ${JSON.stringify(iceServers)}`);
  const server = iceServers[0];
  assert.deepEqual(urlsOf(server), [turn.url]);
  const m = /^(\d+):gst-meshrtc$/.exec(server.username || '');
  assert.ok(m, `TURN REST username <expiry>:gst-meshrtc expected, got ${JSON.stringify(server.username)}`);
  const expiry = Number(m[1]);
  const now = Date.now() / 1000;
  assert.ok(expiry > now + 3600 && expiry <= now + 86400 + 60,
    `username expiry ${expiry} is not about a day (default ttl) from now (${Math.round(now)})`);
  assert.equal(server.credential, turnRestPassword(TURN_SECRET, server.username),
    'the credential is not base64(HMAC-SHA1(secret, username))');

  // The page's peer connection uses exactly those, relay only.
  await h.waitFor('the page has a peer connection', () => page.evaluate(() => !!window.meshrtc.pc),
    { timeoutMs: 10000 });
  const config = await page.evaluate(() => window.meshrtc.pc.getConfiguration());
  assert.equal(config.iceTransportPolicy, 'relay');
  assert.deepEqual(config.iceServers.map(urlsOf).flat(), [turn.url]);

  // It plays: frames decoded, and they are videotestsrc's bars.
  const stats = await waitForFramesDecoded(h, page, { timeoutMs: FIRST_FRAME_MS });
  const px = await waitForSmpteBars(h, page);
  assert.equal(stats.width, 320);
  assert.equal(stats.height, 240);

  // Through the relay: both ends of the selected pair are relay candidates
  // allocated by our coturn (127.0.0.1, in its relay port range).
  const pair = await h.waitFor('the page has a selected candidate pair', () => selectedPair(page),
    { timeoutMs: 5000 });
  const inRelayRange = (c) => c && c.address === '127.0.0.1' &&
    c.port >= turn.minPort && c.port <= turn.maxPort;
  assert.equal(pair.local.candidateType, 'relay', `selected pair ${JSON.stringify(pair)}`);
  assert.equal(pair.remote.candidateType, 'relay', `selected pair ${JSON.stringify(pair)}`);
  assert.ok(inRelayRange(pair.local) && inRelayRange(pair.remote),
    `selected pair ${JSON.stringify(pair)} not in coturn's relay ports ${turn.minPort}-${turn.maxPort}`);
  assert.notEqual(pair.local.port, pair.remote.port, 'one allocation per peer expected');
  const state = await pageState(page);
  assert.ok(state.localCandidates.length > 0, 'the page gathered no candidate');
  assert.ok(state.localCandidates.every((c) => / typ relay /.test(c)),
    `a relay-only page signalled non-relay candidates: ${state.localCandidates}`);
  // The first session must play: no restart of the page's session.
  assert.equal(state.restarts, 0,
    `the page had to restart its session ${state.restarts} times (last reason: ${state.lastError})`);

  // coturn agrees: permissions and channels were made for the peers.
  await h.waitFor('coturn logged CREATE_PERMISSION and CHANNEL_BIND', () =>
    turn.proc.count(PERMISSION_GRANTED) > 0 && turn.proc.count(CHANNEL_BOUND) > 0,
  { timeoutMs: 5000 });

  // No relay warning when the credentials are right.
  assert.equal(fanout.proc.count(NO_RELAY_WARNING), 0, 'rtciceservers warned about the relay needlessly');
  h.assertHealthy(turn.proc, fanout.proc);
  console.log(`relay: ${stats.framesDecoded} frames decoded (${stats.codec}), selected pair ` +
    `local ${pair.local.candidateType} ${pair.local.address}:${pair.local.port} -> remote ` +
    `${pair.remote.candidateType} ${pair.remote.address}:${pair.remote.port}; ` +
    `yellow ${JSON.stringify(px[0])} blue ${JSON.stringify(px[1])}; coturn ` +
    `${turn.proc.count(PERMISSION_GRANTED)} CREATE_PERMISSION, ${turn.proc.count(CHANNEL_BOUND)} CHANNEL_BIND granted`);
});

test('rtciceservers: with a wrong TURN secret the relay-only page does not play and the pipeline warns', async (t) => {
  requireElements('rtciceservers', 'rtcmeshfanout');
  requireTurnserver();
  const h = createHarness(t);
  const started = Date.now();
  const turn = await startTurn(t, h);
  const fanout = await startFanout(h, turn, { secret: `${TURN_SECRET}-wrong` });

  const page = await h.openPage(`${fanout.pageUrl}?name=cam&relay=1`, { label: 'relay-viewer' });
  await h.waitFor('the page has received iceServers from the server',
    () => page.evaluate(() => window.meshrtc.iceServers.length > 0), { timeoutMs: 10000 });

  // The session's webrtcbin gathers no relay candidate (coturn rejects its
  // credentials): rtciceservers says so on the bus.
  const left = () => Math.max(1000, NEGATIVE_BOUND_MS - (Date.now() - started));
  await fanout.proc.waitForLine(NO_RELAY_WARNING_FROM_ELEMENT, left()).catch((err) => {
    throw h.error(`no relay warning from rtciceservers: ${err.message}`);
  });
  // -m prints the message itself; its debug text names the TURN server
  // (gst-launch escapes the spaces).
  const detail = new RegExp('from element "rtciceservers0" \\(warning\\).*gathered\\\\ no\\\\ relay\\\\ ' +
    `candidate\\\\ from\\\\ ${turn.url.replace(/[.]/g, '\\.')}`);
  assert.ok(fanout.proc.count(detail) > 0, `no warning message matching ${detail} in gst-launch -m output`);

  // And nothing plays: watch the page for a few more seconds (bounded by
  // the case's budget), it never decodes a frame or connects.
  const watchUntil = Math.min(Date.now() + 3000, started + NEGATIVE_BOUND_MS);
  for (;;) {
    assert.equal(await framesDecoded(page), 0, 'the page decoded frames despite the wrong TURN secret');
    const st = await pageState(page);
    assert.notEqual(st.connectionState, 'connected', `the page connected: ${JSON.stringify(st)}`);
    assert.ok(st.localCandidates.every((c) => / typ relay /.test(c)),
      `a relay-only page signalled non-relay candidates: ${st.localCandidates}`);
    if (Date.now() >= watchUntil)
      break;
    await sleep(250);
  }
  const st = await pageState(page);
  // The page's credentials come from the same wrong secret: it cannot
  // allocate a relay either.
  assert.deepEqual(st.localCandidates, [], 'the page got a relay candidate with the wrong credentials');
  assert.equal(turn.proc.count(CHANNEL_BOUND), 0, 'coturn bound a channel despite the wrong secret');
  assert.equal(turn.proc.count(PERMISSION_GRANTED), 0, 'coturn granted a permission despite the wrong secret');
  // The cause, as coturn saw it: the credentials were refused.
  assert.ok(turn.proc.count(REST_USER_REFUSED) > 0,
    `coturn logged no 401 for a <expiry>:gst-meshrtc user:\n${turn.proc.tail()}`);
  h.assertHealthy(turn.proc, fanout.proc);
  const elapsed = Date.now() - started;
  console.log(`wrong secret: warned and nothing played; ${elapsed} ms; page state ${st.state}, ` +
    `last error ${st.lastError}`);
});
