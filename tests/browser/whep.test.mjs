// End-to-end with npm whip-whep in headless Chromium, on a page of another
// origin (CORS): its WHEPClient players against rtcmeshfanout's embedded
// server, beside the server's own WebSocket viewer page; its WHIPClient
// publishing Chromium's fake camera to the server program's /whip, played
// by rtcsignalbin over WebSocket, and to an ingest (rtcsignalbin running
// its own server), which then plays a gst-launch publisher as well.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness, freePort, sleep } from './lib/harness.mjs';
import { framesDecoded, waitForFramesDecoded } from './lib/playback.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const WHEP_JS = path.join(here, 'node_modules', 'whip-whep', 'whep.js');
const WHIP_JS = path.join(here, 'node_modules', 'whip-whep', 'whip.js');
const TOKEN = 'whep-secret';

// The player page: whip-whep's WHEPClient, as its README uses it, with the
// peer connection in window.meshrtc.pc for lib/playback.mjs.
const PLAYER_PAGE = `<!doctype html>
<meta charset="utf-8"><title>WHEP player</title>
<video id="video" autoplay muted playsinline></video>
<script type="module">
import { WHEPClient } from '/whep.js';
import { WHIPClient } from '/whip.js';
window.publish = async (url, token) => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  for (const track of stream.getTracks())
    pc.addTransceiver(track, { direction: 'sendonly' });
  const whip = new WHIPClient();
  window.publisher = { pc, whip };
  await whip.publish(pc, url, token);
  return whip.resourceURL ? whip.resourceURL.href : null;
};
window.play = async (url, token) => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    if (e.track.kind === 'video')
      document.getElementById('video').srcObject = e.streams[0] || new MediaStream([e.track]);
  };
  const whep = new WHEPClient();
  window.meshrtc = { pc, whep };
  await whep.view(pc, url, token);
  return whep.resourceURL ? whep.resourceURL.href : null;
};
window.stopPlaying = async () => {
  await window.meshrtc.whep.stop();
};
window.ready = true;
</script>`;

// A static server for the player page, on its own port: another origin than
// the WHEP endpoint's.
async function servePlayerPage(t) {
  const port = await freePort();
  const scripts = { '/whep.js': fs.readFileSync(WHEP_JS), '/whip.js': fs.readFileSync(WHIP_JS) };
  const server = http.createServer((req, res) => {
    if (scripts[req.url]) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(scripts[req.url]);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PLAYER_PAGE);
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${port}`;
}

async function openPlayer(h, context, origin, label) {
  const page = await h.openPage(`${origin}/`, { context, label });
  await h.waitFor(`${label} loaded whip-whep`, () => page.evaluate(() => window.ready === true));
  return page;
}

test('rtcmeshfanout: WHEP players from another origin and a WebSocket viewer', async (t) => {
  requireElements('rtcmeshfanout');
  assert.ok(fs.existsSync(WHEP_JS), 'npm whip-whep is not installed in tests/browser');
  const h = createHarness(t);
  const origin = await servePlayerPage(t);
  const port = await freePort();
  const whepUrl = `http://127.0.0.1:${port}/whep`;
  const pageUrl = `http://127.0.0.1:${port}/`;
  h.gstLaunch('gst-fanout',
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcmeshfanout run-signalling-server=true uri=ws://127.0.0.1:${port} ` +
    `ice-local-addresses=127.0.0.1 peer-name=cam auth-token=${TOKEN} ` +
    `allowed-origins=${origin},${pageUrl.replace(/\/$/, '')}`);
  await h.waitFor(`the embedded server answers at ${pageUrl}`, async () => {
    try {
      return (await fetch(pageUrl)).ok;
    } catch {
      return false;
    }
  });
  const browser = await h.launchBrowser();
  const players = [];
  const resources = [];

  await t.test('three WHEP players play at once', async () => {
    players.push(...await Promise.all([1, 2, 3].map((i) =>
      openPlayer(h, browser, origin, `whep${i}`))));
    resources.push(...await Promise.all(players.map((p) =>
      p.evaluate(([u, tk]) => window.play(u, tk), [whepUrl, TOKEN]))));
    for (const r of resources)
      assert.match(r, new RegExp(`^http://127\\.0\\.0\\.1:${port}/whep/resource/`));
    for (const p of players)
      await waitForFramesDecoded(h, p, { min: 30 });
  });

  await t.test('the server\'s own WebSocket viewer plays beside them', async () => {
    const viewer = await h.openPage(`${pageUrl}?token=${TOKEN}`, { context: browser, label: 'viewer' });
    await waitForFramesDecoded(h, viewer, { min: 30 });
  });

  await t.test('a wrong token is refused with 401', async () => {
    const p = await openPlayer(h, browser, origin, 'intruder');
    const err = await p.evaluate(([u]) => window.play(u, 'wrong').then(() => null, (e) => String(e)),
      [whepUrl]);
    assert.ok(err, 'a player with a wrong token was let in');
    assert.match(err, /401/);
  });

  await t.test('a player that stops DELETEs its resource; one closed abruptly goes; the others play on', async () => {
    await players[0].evaluate(() => window.stopPlaying());
    // gone: its resource is unknown now
    const res = await fetch(resources[0], {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', Authorization: `Bearer ${TOKEN}` },
      body: 'a=end-of-candidates\r\n',
    });
    assert.equal(res.status, 404, 'the stopped player\'s resource still exists');
    await players[1].close();
    const before = await framesDecoded(players[2]);
    await sleep(2000);
    const after = await framesDecoded(players[2]);
    assert.ok(after > before + 20, `the last player stopped decoding (${before} then ${after})`);
  });
});

test('server program: Chromium publishes over WHIP, rtcsignalbin plays it', async (t) => {
  requireElements('rtcsignalbin');
  const h = createHarness(t);
  const origin = await servePlayerPage(t);
  const server = await h.startSignallingServer({ args: ['--allowed-origins', origin, '--auth-token', TOKEN] });
  const port = server.port;
  const consumer = h.gstLaunch('gst-consumer',
    `rtcsignalbin uri=ws://127.0.0.1:${port} auth-token=${TOKEN} ice-local-addresses=127.0.0.1 ` +
    'producer-name=chromium ! video/x-raw ! fakesink silent=false', { verbose: true });
  const browser = await h.launchBrowser();
  const page = await openPlayer(h, browser, origin, 'whip-publisher');
  const resource = await page.evaluate(([u, tk]) => window.publish(u, tk),
    [`http://127.0.0.1:${port}/whip/chromium`, TOKEN]);
  assert.match(resource, new RegExp(`^http://127\\.0\\.0\\.1:${port}/whip/resource/`));
  await h.waitFor('rtcsignalbin decodes the browser\'s camera', () => consumer.count(/fakesink0.*chain/) >= 30);
  // the publisher stops: its DELETE ends the consumer's session
  await page.evaluate(() => window.publisher.whip.stop());
  const res = await fetch(resource, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 404, 'the publisher\'s resource outlived its DELETE');
});

test('ingest: rtcsignalbin with its own server plays Chromium\'s WHIP publisher, then a gst-launch one', async (t) => {
  requireElements('rtcsignalbin');
  const h = createHarness(t);
  const origin = await servePlayerPage(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const ingest = h.gstLaunch('gst-ingest',
    `rtcsignalbin run-signalling-server=true uri=ws://127.0.0.1:${port} ` +
    `ice-local-addresses=127.0.0.1 auth-token=${TOKEN} allowed-origins=${origin} ` +
    '! video/x-raw ! fakesink silent=false', { verbose: true });
  await h.waitFor(`the ingest's server answers at ${base}/`, async () => {
    try {
      return (await fetch(`${base}/`)).ok;
    } catch {
      return false;
    }
  });
  const frames = () => ingest.count(/fakesink0.*chain/);

  // a third-party publisher: whip-whep's WHIPClient with Chromium's camera
  const browser = await h.launchBrowser();
  const page = await openPlayer(h, browser, origin, 'whip-publisher');
  const resource = await page.evaluate(([u, tk]) => window.publish(u, tk),
    [`${base}/whip/chromium`, TOKEN]);
  assert.match(resource, new RegExp(`^${base}/whip/resource/`));
  await h.waitFor('the ingest decodes the browser\'s camera', () => frames() >= 30);
  await page.evaluate(() => window.publisher.whip.stop());

  // another process publishing with rtcsignalbin whip-endpoint=: the
  // ingest plays it once the browser's session is gone
  const before = frames();
  h.gstLaunch('gst-publisher',
    'videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcsignalbin whip-endpoint=${base}/whip/gst auth-token=${TOKEN} ice-local-addresses=127.0.0.1`);
  await h.waitFor('the ingest decodes the gst-launch publisher', () => frames() >= before + 30,
    { timeoutMs: 30000 });
});
