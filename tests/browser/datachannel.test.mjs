// Data channels between headless Chromium viewers (the page rtcmeshfanout
// serves) and rtcmeshfanout, both ways. The fanout opens the channel
// "data" with every viewer (data-channel=data) and echoes every message
// back to its sender only: data_src_0 ! queue ! data_0, routed by the
// GstRtcPeerMeta the src pad puts on each buffer. The page's chat panel
// appears when the channel opens, and a line typed there comes back.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness, freePort } from './lib/harness.mjs';
import { waitForFramesDecoded } from './lib/playback.mjs';

// the largest message webrtcbin 1.22 receives whole (docs/rtcmeshfanout.md)
const BIG = 65536;

test('data channels: Chromium viewers and rtcmeshfanout, both ways', async (t) => {
  requireElements('rtcmeshfanout');
  const h = createHarness(t);
  const port = await freePort();
  const pageUrl = `http://127.0.0.1:${port}/`;
  h.gstLaunch('gst-fanout',
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `rtcmeshfanout name=f run-signalling-server=true uri=ws://127.0.0.1:${port} ` +
    'ice-local-addresses=127.0.0.1 peer-name=cam data-channel=data f.data_src_0 ! queue ! f.data_0');
  await h.waitFor(`the embedded server serves ${pageUrl}`, async () => {
    try {
      return (await fetch(pageUrl)).ok;
    } catch {
      return false;
    }
  });
  const browser = await h.launchBrowser();
  const pages = [];
  for (const label of ['viewer-1', 'viewer-2']) {
    const page = await h.openPage(`${pageUrl}?name=cam`, { context: browser, label });
    pages.push(page);
  }
  for (const page of pages) {
    await waitForFramesDecoded(h, page);
    await h.waitFor(`${page.meshrtcLabel}: the chat panel shows once the channel is open`,
      () => page.evaluate(() => !document.getElementById('chat').hidden &&
        window.meshrtc.channel?.readyState === 'open'));
  }

  await t.test('1000 text messages, a binary one and one of 64 KiB come back in order', async () => {
    const [page] = pages;
    await page.evaluate((big) => {
      const m = window.meshrtc;
      m.received.length = 0;
      for (let i = 0; i < 1000; i++)
        m.channel.send(`message ${String(i).padStart(4, '0')}`);
      m.channel.send(new Uint8Array([0, 1, 2, 253, 254, 255]).buffer);
      const b = new Uint8Array(big);
      for (let i = 0; i < big; i++)
        b[i] = (i * 7) & 0xff;
      m.channel.send(b.buffer);
    }, BIG);
    await h.waitFor('1002 messages come back', () => page.evaluate(() => window.meshrtc.received.length >= 1002),
      { timeoutMs: 60000 });
    const summary = await page.evaluate((big) => {
      const r = window.meshrtc.received;
      const bad = [];
      for (let i = 0; i < 1000; i++)
        if (r[i] !== `message ${String(i).padStart(4, '0')}`)
          bad.push(`${i}: ${typeof r[i] === 'string' ? r[i] : 'binary'}`);
      const small = r[1000] instanceof ArrayBuffer ? [...new Uint8Array(r[1000])] : null;
      let bigOk = r[1001] instanceof ArrayBuffer && r[1001].byteLength === big;
      if (bigOk) {
        const b = new Uint8Array(r[1001]);
        for (let i = 0; i < big && bigOk; i++)
          bigOk = b[i] === ((i * 7) & 0xff);
      }
      return { count: r.length, bad: bad.slice(0, 5), small, bigOk };
    }, BIG);
    assert.equal(summary.count, 1002, 'messages beyond those sent');
    assert.deepEqual(summary.bad, [], 'text messages out of order or changed');
    assert.deepEqual(summary.small, [0, 1, 2, 253, 254, 255], 'the binary message');
    assert.ok(summary.bigOk, `the ${BIG}-byte message changed`);
  });

  await t.test('the echo reaches its sender only', async () => {
    await pages[0].evaluate(() => { window.meshrtc.received.length = 0; });
    await pages[1].evaluate(() => window.meshrtc.channel.send('from viewer 2'));
    await h.waitFor('viewer 2 gets its message back', () => pages[1].evaluate(() =>
      window.meshrtc.received.includes('from viewer 2')));
    // the same path carried viewer 1's message back within this time
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await pages[0].evaluate(() => window.meshrtc.received), [],
      'viewer 1 got viewer 2\'s message');
  });

  await t.test('the chat panel: a line typed and sent comes back', async () => {
    const page = pages[0];
    await page.focus('#chat-input');
    await page.keyboard.type('hello chat');
    await page.keyboard.press('Enter');
    const lines = await h.waitFor('the echoed line shows', () => page.evaluate(() => {
      const l = [...document.querySelectorAll('#chat-log li')].map((e) => e.textContent);
      return l.includes('cam:hello chat') ? l : null;
    }));
    assert.ok(lines.includes('me:hello chat'), 'our own line is shown');
    assert.equal(await page.inputValue('#chat-input'), '', 'the input is cleared');
  });

  await t.test('round trip through the fanout (figure, no bound)', async () => {
    const rtts = await pages[0].evaluate(async () => {
      const ch = window.meshrtc.channel;
      const out = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await new Promise((resolve) => {
          const prev = ch.onmessage;
          ch.onmessage = (ev) => {
            if (ev.data === `ping ${i}`) {
              ch.onmessage = prev;
              resolve();
            }
          };
          ch.send(`ping ${i}`);
        });
        out.push(performance.now() - t0);
      }
      return out;
    });
    rtts.sort((a, b) => a - b);
    t.diagnostic(`data channel round trip Chromium -> rtcmeshfanout -> Chromium: median ${rtts[25].toFixed(2)} ms of 50`);
  });

  for (const page of pages) {
    const errors = page.meshrtcLog.filter((l) => /^(error|pageerror):/.test(l));
    assert.deepEqual(errors, [], `${page.meshrtcLabel}: console errors`);
  }
});
