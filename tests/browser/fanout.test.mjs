// End-to-end: rtcmeshfanout with its embedded signalling server, watched by
// several headless Chromium pages (the page it serves itself) and by
// rtcsignalbin consumers at the same time.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FAKESINK_CHAIN, requireElements } from './lib/gst.mjs';
import { createHarness, freePort, sleep } from './lib/harness.mjs';
import { framesDecoded, pageState, waitForFramesDecoded, waitForSmpteBars } from './lib/playback.mjs';

// Every page keeps decoding: @samples reads of framesDecoded, @gapMs apart,
// each strictly above the one before. Returns the readings per page.
async function assertKeepDecoding(h, pages, { samples = 6, gapMs = 500 } = {}) {
  const readings = pages.map(() => []);
  for (let i = 0; i < samples; i++) {
    if (i > 0)
      await sleep(gapMs);
    const now = await Promise.all(pages.map((p) => framesDecoded(p)));
    now.forEach((n, j) => readings[j].push(n));
  }
  pages.forEach((p, j) => {
    const r = readings[j];
    for (let i = 1; i < r.length; i++) {
      if (!(r[i] > r[i - 1]))
        throw h.error(`${p.meshrtcLabel} stopped decoding: framesDecoded every ${gapMs} ms was ${r.join(', ')}`);
    }
  });
  return readings;
}

// On loopback with nothing failing, the first session must just work.
function assertNoRestart(label, state) {
  assert.equal(state.restarts, 0, `${label} had to restart its session (last reason: ${state.lastError})`);
}

test('rtcmeshfanout: browsers and rtcsignalbin consumers watch one encoded stream', async (t) => {
  requireElements('rtcmeshfanout', 'rtcsignalbin');
  const h = createHarness(t);
  const port = await freePort();
  const wsUrl = `ws://127.0.0.1:${port}`;
  const pageUrl = `http://127.0.0.1:${port}/`;
  const fanout = h.gstLaunch('gst-fanout',
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcmeshfanout run-signalling-server=true uri=${wsUrl} ice-local-addresses=127.0.0.1 peer-name=gst-cam`);

  // The element tells where to point a browser (an INFO message, which
  // gst-launch prints), and the embedded server serves the page there.
  await fanout.waitForLine(new RegExp(`${pageUrl.replace(/[.]/g, '\\.')}`)).catch((err) => {
    throw h.error(`rtcmeshfanout did not announce ${pageUrl}: ${err.message}`);
  });
  await h.waitFor(`the embedded server serves ${pageUrl}`, async () => {
    const res = await fetch(pageUrl);
    return res.ok && /viewer\.js/.test(await res.text());
  });

  const browser = await h.launchBrowser();
  const pages = [];

  await t.test('three pages opened at once all play the stream', async () => {
    pages.push(...await Promise.all([1, 2, 3].map((i) =>
      h.openPage(pageUrl, { context: browser, label: `viewer${i}` }))));
    for (const page of pages) {
      const stats = await waitForFramesDecoded(h, page);
      await waitForSmpteBars(h, page);
      assert.equal(stats.width, 320, `${page.meshrtcLabel} frame width`);
      assertNoRestart(page.meshrtcLabel, await pageState(page));
    }
    // the page works under the Content-Security-Policy it is served with,
    // and nothing of it was refused
    const res = await fetch(pageUrl);
    assert.match(res.headers.get('content-security-policy') || '', /default-src 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    for (const page of pages) {
      const refused = page.meshrtcLog.filter((l) => /Content Security Policy|Refused to/i.test(l));
      assert.deepEqual(refused, [], `${page.meshrtcLabel}: refused by its CSP`);
    }
  });

  await t.test('a fourth page joining later plays too', async () => {
    const opened = Date.now();
    const late = await h.openPage(pageUrl, { context: browser, label: 'viewer4-late' });
    await waitForFramesDecoded(h, late, { intervalMs: 20 });
    const ms = Date.now() - opened;
    console.log(`late-join first-frame ms: ${ms}`);
    const timeline = await late.evaluate(() => window.meshrtc.timeline);
    console.log(`late-join page timeline (ms since navigation): ${timeline.map(([e, t]) => `${e} ${t}`).join(', ')}`);
    await waitForSmpteBars(h, late);
    assertNoRestart(late.meshrtcLabel, await pageState(late));
    pages.push(late);
  });

  await t.test('a page that vanishes without endSession does not stall the others', async () => {
    const gone = pages.shift();
    await gone.close(); // no endSession: the socket and the peer connection just go
    const readings = await assertKeepDecoding(h, pages);
    console.log(`after ${gone.meshrtcLabel} closed, framesDecoded every 500 ms: ` +
      pages.map((p, j) => `${p.meshrtcLabel} ${readings[j].join(',')}`).join('; '));
  });

  await t.test('two rtcsignalbin consumers receive the stream while the browsers watch', async () => {
    const consumers = [1, 2].map((i) => h.gstLaunch(`gst-consumer${i}`,
      `rtcsignalbin uri=${wsUrl} producer-name=gst-cam ice-local-addresses=127.0.0.1 ! ` +
      'fakesink silent=false sync=false', { verbose: true }));
    await h.waitFor('both rtcsignalbin consumers have received 60 frames',
      () => consumers.every((c) => c.count(FAKESINK_CHAIN) >= 60),
      { detail: () => consumers.map((c) => `${c.name}: ${c.count(FAKESINK_CHAIN)}`).join(', ') });
    await assertKeepDecoding(h, pages, { samples: 3 });
    console.log(`consumers: ${consumers.map((c) => `${c.name} ${c.count(FAKESINK_CHAIN)} frames`).join(', ')}`);
    h.assertHealthy(fanout, ...consumers);
  });

  await t.test('ten pages joining and leaving one after another all play and disturb nobody', async () => {
    const firstFrameMs = [];
    for (let i = 1; i <= 10; i++) {
      const opened = Date.now();
      const page = await h.openPage(pageUrl, { context: browser, label: `churn${i}` });
      await waitForFramesDecoded(h, page, { intervalMs: 20 });
      firstFrameMs.push(Date.now() - opened);
      await page.close();
    }
    await assertKeepDecoding(h, pages, { samples: 3 });
    console.log(`churn first-frame ms: ${firstFrameMs.join(', ')}`);
    h.assertHealthy(fanout);
  });
});
