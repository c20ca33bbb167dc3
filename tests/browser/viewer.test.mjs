// The viewer page as people use it, in headless Chromium at a phone width
// (390 px) and a desktop one (1280 px): the video fills the window and
// plays; pause, mute, fullscreen and the statistics overlay work and are
// reachable from the keyboard; streams are picked by name, never by peer
// id; the state is said in words; nothing is logged to the console as an
// error. With MESHRTC_SCREENSHOT_DIR set, it saves its screenshots there
// (docs/viewer-390.png and docs/viewer-1280.png come from it).

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness, freePort } from './lib/harness.mjs';
import { framesDecoded, waitForFramesDecoded } from './lib/playback.mjs';

const WIDTHS = [[390, 844], [1280, 720]];

test('viewer page: playback, controls, stats and names at 390 and 1280 px', async (t) => {
  requireElements('rtcmeshfanout');
  const h = createHarness(t);
  const port = await freePort();
  const pageUrl = `http://127.0.0.1:${port}/`;
  h.gstLaunch('gst-fanout',
    'videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=30/1 ! ' +
    `rtcmeshfanout run-signalling-server=true uri=ws://127.0.0.1:${port} ` +
    'ice-local-addresses=127.0.0.1 peer-name=garden-cam');
  // a second producer, on the same server, to pick by name
  await h.waitFor(`the embedded server serves ${pageUrl}`, async () => {
    try {
      return (await fetch(pageUrl)).ok;
    } catch {
      return false;
    }
  });
  h.gstLaunch('gst-second',
    'videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcsignalbin uri=ws://127.0.0.1:${port} ice-local-addresses=127.0.0.1 peer-name=door-cam`);
  const browser = await h.launchBrowser();

  for (const [width, height] of WIDTHS) {
    await t.test(`${width}x${height}`, async () => {
      const page = await h.openPage(`${pageUrl}?name=garden-cam`,
        { context: browser, label: `viewer-${width}` });
      await page.setViewportSize({ width, height });
      await waitForFramesDecoded(h, page);
      await h.waitFor('the state overlay hides once the video plays',
        () => page.evaluate(() => document.getElementById('state').classList.contains('hidden')));

      // the video fills the window above the bar; no horizontal scrolling
      const layout = await page.evaluate(() => {
        const v = document.getElementById('video').getBoundingClientRect();
        const bar = document.getElementById('bar').getBoundingClientRect();
        return {
          videoW: v.width, videoH: v.height, barTop: bar.top, barBottom: bar.bottom,
          scrollW: document.documentElement.scrollWidth, innerW: innerWidth, innerH: innerHeight,
          videoWidth: document.getElementById('video').videoWidth,
        };
      });
      assert.equal(layout.videoW, width, 'the video is as wide as the window');
      assert.ok(layout.videoH >= height * 0.6, `the video is ${layout.videoH} px high of ${height}`);
      assert.ok(layout.barBottom <= layout.innerH + 0.5, 'the control bar is inside the window');
      assert.ok(layout.scrollW <= layout.innerW, `horizontal scrolling: ${layout.scrollW} > ${layout.innerW}`);
      assert.equal(layout.videoWidth, 640);

      // stats: opened from the keyboard, with real figures
      await page.focus('#stats-toggle');
      await page.keyboard.press('Enter');
      const stats = await h.waitFor('the stats overlay shows figures', () => page.evaluate(() => {
        const el = document.getElementById('stats');
        const st = window.meshrtc.stats;
        return !el.hidden && st && st.fps > 0 && st.bitrate > 0 && st.codec ? { text: el.textContent, st } : null;
      }));
      assert.match(stats.text, /Resolution\s+640×360/);
      assert.match(stats.text, /Frame rate\s+\d+ fps/);
      assert.match(stats.text, /Bitrate\s+\d+ kbit\/s/);
      assert.match(stats.text, /Round trip\s+[\d.]+ ms/);
      assert.match(stats.text, /Packet loss\s+[\d.]+ %/);
      assert.match(stats.text, /Jitter buffer\s+\d+ ms/);
      assert.match(stats.text, /Codec\s+video\//);

      // the stream picker says names, never peer ids
      const options = await h.waitFor('both streams are in the picker', () => page.evaluate(() => {
        const o = [...document.querySelectorAll('#producer option')].map((e) => e.textContent);
        return o.length === 2 ? o : null;
      }));
      assert.deepEqual([...options].sort(), ['door-cam', 'garden-cam']);
      for (const o of options)
        assert.doesNotMatch(o, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'a peer id in the picker');

      if (process.env.MESHRTC_SCREENSHOT_DIR)
        await page.screenshot({ path: path.join(process.env.MESHRTC_SCREENSHOT_DIR, `viewer-${width}.png`) });

      // pause, play, mute
      await page.click('#pause');
      await h.waitFor('pause pauses', () => page.evaluate(() => document.getElementById('video').paused));
      await h.waitFor('the pause button says Play', async () => (await page.textContent('#pause')) === 'Play');
      await page.click('#pause');
      await h.waitFor('play plays', () => page.evaluate(() => !document.getElementById('video').paused));
      assert.equal(await page.evaluate(() => document.getElementById('video').muted), true);
      await page.click('#mute');
      assert.equal(await page.evaluate(() => document.getElementById('video').muted), false);
      await h.waitFor('the mute button says Mute', async () => (await page.textContent('#mute')) === 'Mute');
      // fullscreen: the page (video and bar) goes fullscreen and back
      await page.click('#fullscreen');
      await h.waitFor('fullscreen', () => page.evaluate(() =>
        document.fullscreenElement === document.documentElement));
      await h.waitFor('the button says so', async () => (await page.textContent('#fullscreen')) === 'Exit fullscreen');
      await page.click('#fullscreen');
      await h.waitFor('fullscreen ends', () => page.evaluate(() => !document.fullscreenElement));

      // picking the other stream by name plays it
      const before = await framesDecoded(page);
      await page.selectOption('#producer', { label: 'door-cam' });
      await h.waitFor('the other stream plays', () => page.evaluate(() =>
        document.getElementById('video').videoWidth === 320));
      assert.ok(before > 0);

      const errors = page.meshrtcLog.filter((l) => /^(error|pageerror):/.test(l));
      assert.deepEqual(errors, [], 'console errors');
      await page.close();
    });
  }
});
