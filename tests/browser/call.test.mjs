// End-to-end: a call of three through the real signalling server. Two
// rtcsignalbin room members in gst-launch-1.0 (a red and a blue test
// pattern, the red one with mix=true) and Chromium, whose fake camera is
// green, joined through the viewer page's call mode (?room=call&call=1,
// then the Join button). Each side is checked by colour: the red member's
// mixed grid shows blue and green tiles, the page shows a red and a blue
// tile labelled with their names. With MESHRTC_SCREENSHOT_DIR set, the
// page at 1280x720 is saved there as call-1280.png (README's picture).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness } from './lib/harness.mjs';
import { looksGreen } from './lib/playback.mjs';

// the mix, scaled down to this and written as raw RGB frames
const W = 64;
const H = 36;

function member(uri, colour, tail) {
  return `videotestsrc is-live=true pattern=${colour} ! ` +
    'video/x-raw,width=320,height=240,framerate=15/1 ! c.video_0 ' +
    'audiotestsrc is-live=true wave=ticks ! c.audio_0 ' +
    `rtcsignalbin name=c uri=${uri} room=call peer-name=${colour} ` +
    `ice-local-addresses=127.0.0.1 ${tail}`;
}

// {r, g, b} of the 5x5 points inside the tile of a two-tile grid
// (ceil(sqrt(2)) = 2 columns, one row) at column @col of the newest frame.
function mixTile(dir, col) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.rgb')).sort();
  for (const f of files.reverse()) {
    const data = fs.readFileSync(path.join(dir, f));
    if (data.length !== W * H * 3)
      continue; // being written
    const px = [];
    for (const fy of [0.2, 0.35, 0.5, 0.65, 0.8]) {
      for (const fx of [0.2, 0.35, 0.5, 0.65, 0.8]) {
        const x = Math.floor((col + fx) * W / 2);
        const y = Math.floor(fy * H);
        const i = (y * W + x) * 3;
        px.push({ r: data[i], g: data[i + 1], b: data[i + 2] });
      }
    }
    return px;
  }
  return null;
}

function looks(px, channel) {
  if (!px)
    return false;
  const others = ['r', 'g', 'b'].filter((c) => c !== channel);
  const hits = px.filter((c) => c[channel] > 120 && others.every((o) => c[channel] > c[o] + 60));
  return hits.length >= px.length / 2;
}

// The page's participant tiles: name, video size, and the main colour of
// the picture ('red', 'green', 'blue' or null).
async function pageTiles(page) {
  return page.evaluate(() => [...document.querySelectorAll('#tiles li')].map((li) => {
    const v = li.querySelector('video');
    const out = { name: li.querySelector('.name').textContent, width: v.videoWidth, colour: null };
    if (!v.videoWidth)
      return out;
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 24;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(v, 0, 0, 32, 24);
    const d = ctx.getImageData(0, 0, 32, 24).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) {
      sum[0] += d[i];
      sum[1] += d[i + 1];
      sum[2] += d[i + 2];
    }
    const max = Math.max(...sum);
    const idx = sum.indexOf(max);
    if (sum.every((s, i) => i === idx || max > 2 * s))
      out.colour = ['red', 'green', 'blue'][idx];
    return out;
  }));
}

test('call: Chromium joins two rtcsignalbin members through the page; each sees the others', async (t) => {
  requireElements('rtcsignalbin', 'compositor', 'audiomixer', 'multifilesink');
  const h = createHarness(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshrtc-call-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = await h.startSignallingServer();

  const red = h.gstLaunch('red', member(server.wsUrl, 'red',
    'mix=true mix-width=320 mix-height=180 c.video_src_0 ! videoconvert ! videoscale ! ' +
    `video/x-raw,format=RGB,width=${W},height=${H} ! ` +
    `multifilesink location=${dir}/mix-%05d.rgb max-files=4 c.audio_src_0 ! fakesink`));
  // links nothing it receives: its src pads drop what they get
  const blue = h.gstLaunch('blue', member(server.wsUrl, 'blue', ''));

  const page = await h.openPage(`${server.httpUrl}?room=call&call=1&name=chromium`, { label: 'call page' });
  await page.setViewportSize({ width: 1280, height: 720 });
  await h.waitFor('the page offers to join', () => page.isVisible('#join'));
  await page.click('#join');

  let tiles = null;
  await h.waitFor('the page shows the red and the blue member, by name and colour', async () => {
    tiles = await pageTiles(page);
    const byName = Object.fromEntries(tiles.map((x) => [x.name, x]));
    return tiles.length === 2 && byName.red && byName.red.colour === 'red' &&
      byName.blue && byName.blue.colour === 'blue';
  }, { timeoutMs: 40000, detail: () => JSON.stringify(tiles) });

  let grid = null;
  await h.waitFor('the red member\'s mix shows the blue member and Chromium (green)', () => {
    grid = [mixTile(dir, 0), mixTile(dir, 1)];
    const blueTile = grid.findIndex((px) => looks(px, 'b'));
    const greenTile = grid.findIndex((px) => looksGreen(px));
    return blueTile >= 0 && greenTile >= 0 && blueTile !== greenTile;
  }, { timeoutMs: 40000, detail: () => JSON.stringify(grid && grid.map((px) => px && px[12])) });

  const state = await page.evaluate(() => ({ mode: window.meshrtc.mode, joined: window.meshrtc.joined,
    sessions: window.meshrtc.sessions.size }));
  console.log(`call page: ${JSON.stringify(state)}; tiles ${JSON.stringify(tiles)}`);
  // mute acts on our microphone, our own preview stays muted
  await page.click('#mute');
  const mic = await page.evaluate(() => ({
    enabled: document.getElementById('video').srcObject.getAudioTracks()[0].enabled,
    previewMuted: document.getElementById('video').muted,
    pressed: document.getElementById('mute').getAttribute('aria-pressed'),
  }));
  assert.deepEqual(mic, { enabled: false, previewMuted: true, pressed: 'true' });
  await page.click('#mute');
  if (process.env.MESHRTC_SCREENSHOT_DIR)
    await page.screenshot({ path: path.join(process.env.MESHRTC_SCREENSHOT_DIR, 'call-1280.png') });
  assert.equal(state.mode, 'call');
  const errors = page.meshrtcLog.filter((l) => /^(error|pageerror):/.test(l));
  assert.deepEqual(errors, [], 'console errors');
  assert.equal(state.sessions, 2);
  h.assertHealthy(server.proc, red, blue);
});
