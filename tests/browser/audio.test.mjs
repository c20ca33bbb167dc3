// Audio + video into Chromium: rtcmeshfanout through its own viewer page,
// and rtcsignalbin (with gst-meshrtc-signalling-server) through the
// protocol client page. Chromium refuses an offer whose audio m-line has an
// RTX stream (a=ssrc-group:FID on audio), so this is where that shows.
// Proof that audio plays: getStats() inbound-rtp audio totalSamplesReceived
// keeps rising, and an AnalyserNode on the received track finds the 440 Hz
// sine of audiotestsrc well above the rest of the spectrum.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { requireElements } from './lib/gst.mjs';
import { createHarness, freePort } from './lib/harness.mjs';
import { pageState, waitForFramesDecoded, waitForSmpteBars } from './lib/playback.mjs';
import { PageClient, analyseTone, openClientPage } from './lib/protocol-client.mjs';

const TONE_HZ = 440;

function sources(sink) {
  return 'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! ' +
    `${sink}.video_0 audiotestsrc is-live=true wave=sine freq=${TONE_HZ} ! ${sink}.audio_0 `;
}

// The SDP lines of the audio m-section of @sdp.
function audioSection(sdp) {
  const m = sdp.split(/\r?\n(?=m=)/).find((s) => s.startsWith('m=audio'));
  return m || '';
}

// Audio figures of @page's peer connection (at the property path @getPc,
// e.g. 'window.meshrtc.pc'), twice
// @gapMs apart, then the spectrum of its audio track.
async function checkAudioPlays(h, page, { getPc, label }) {
  // a string evaluated by the DevTools protocol: the viewer page's
  // Content-Security-Policy allows no inline script and no eval
  await page.evaluate(`window.__analyseTone = ${analyseTone.toString()};`);
  const read = () => page.evaluate(async (expr) => {
    const pc = expr.split('.').slice(1).reduce((o, k) => o[k], window);
    const report = await pc.getStats();
    for (const r of report.values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        const codec = r.codecId && report.get(r.codecId);
        return {
          totalSamplesReceived: r.totalSamplesReceived || 0, packetsReceived: r.packetsReceived || 0,
          totalAudioEnergy: r.totalAudioEnergy || 0, codec: codec ? codec.mimeType : null,
        };
      }
    }
    return null;
  }, getPc);
  let first = null;
  await h.waitFor(`${label}: inbound audio samples arrive`, async () => {
    first = await read();
    return first && first.totalSamplesReceived > 0;
  }, { detail: () => JSON.stringify(first) });
  let second = null;
  await h.waitFor(`${label}: totalSamplesReceived keeps rising`, async () => {
    second = await read();
    return second.totalSamplesReceived > first.totalSamplesReceived + 48000 / 2;
  }, { detail: () => `${JSON.stringify(first)} then ${JSON.stringify(second)}` });
  assert.match(second.codec || '', /opus/i, `${label}: audio codec`);

  let tone = null;
  await h.waitFor(`${label}: the received audio track carries a ${TONE_HZ} Hz tone`, async () => {
    tone = await page.evaluate(async ([expr, hz]) => {
      const pc = expr.split('.').slice(1).reduce((o, k) => o[k], window);
      const r = pc.getReceivers().find((x) => x.track && x.track.kind === 'audio');
      return r ? window.__analyseTone(r.track, { freq: hz, settleMs: 700 }) : null;
    }, [getPc, TONE_HZ]);
    return tone && Math.abs(tone.peakHz - TONE_HZ) <= 25 && tone.toneDb - tone.floorDb >= 30;
  }, { timeoutMs: 15000, intervalMs: 300, detail: () => JSON.stringify(tone) });
  console.log(`${label}: audio ${JSON.stringify(second)}; spectrum ${JSON.stringify(tone)}`);
  return { stats: second, tone };
}

test('rtcmeshfanout: audio and video play in its viewer page', async (t) => {
  requireElements('rtcmeshfanout');
  const h = createHarness(t);
  const port = await freePort();
  const wsUrl = `ws://127.0.0.1:${port}`;
  const pageUrl = `http://127.0.0.1:${port}/`;
  const fanout = h.gstLaunch('gst-fanout', `${sources('f')} rtcmeshfanout name=f ` +
    `run-signalling-server=true uri=${wsUrl} ice-local-addresses=127.0.0.1 peer-name=gst-cam`);
  await h.waitFor(`the embedded server serves ${pageUrl}`, async () => {
    if (fanout.trouble())
      throw h.error(`gst-fanout: ${fanout.trouble()}`);
    const res = await fetch(pageUrl).catch(() => null);
    return res && res.ok;
  }, { intervalMs: 100 });

  const viewer = await h.openPage(pageUrl, { label: 'viewer' });
  await waitForFramesDecoded(h, viewer);
  await waitForSmpteBars(h, viewer);
  const sdp = await viewer.evaluate(() => window.meshrtc.pc.remoteDescription.sdp);
  const audio = audioSection(sdp);
  assert.ok(audio, 'the offer has no audio m-line');
  assert.doesNotMatch(audio, /a=ssrc-group:FID/, `RTX on the audio m-line:\n${audio}`);
  await checkAudioPlays(h, viewer, { getPc: 'window.meshrtc.pc', label: 'fanout viewer page' });
  const st = await pageState(viewer);
  assert.equal(st.restarts, 0, `the page restarted its session (last reason: ${st.lastError})`);
  h.assertHealthy(fanout);
});

for (const offer of [false, true]) {
  const who = offer ? 'the consumer offers' : 'the producer offers';
  test(`rtcsignalbin producer: audio and video play in Chromium (${who})`, async (t) => {
    requireElements('rtcsignalbin');
    const h = createHarness(t);
    const server = await h.startSignallingServer();
    const producer = h.gstLaunch('gst-producer', `${sources('b')} rtcsignalbin name=b ` +
      `uri=${server.wsUrl} peer-name=gst-cam ice-local-addresses=127.0.0.1`);
    const page = await openClientPage(h, server.httpUrl, { label: 'consumer' });
    const c = await PageClient.create(page, 'viewer', server.wsUrl);
    const transcript = async () => c.transcript();
    await c.run((x) => x.register(['listener']));
    const producerId = await h.waitFor('the producer is listed', () => c.run(async (x) => {
      const l = await x.list();
      const p = l.producers.find((q) => q.meta && q.meta.name === 'gst-cam');
      return p ? p.id : null;
    }), { intervalMs: 100 });
    await c.consume(producerId, { offer });

    let last = null;
    await h.waitFor('Chromium decodes video', async () => {
      last = await c.stats();
      return last.video && last.video.framesDecoded > 0;
    }, { detail: () => JSON.stringify(last) }).catch(async (err) => {
      throw new Error(`${err.message}\n--- frames ---\n${await transcript()}`);
    });
    // all tracks: Chromium only pulls (and counts) received audio samples
    // while something plays the track; the <video> is muted
    await c.run((x, s) => window.proto.showStream(new MediaStream(s.tracks)));
    await waitForSmpteBars(h, page);
    const remote = await c.run((x, s) => s.pc.remoteDescription.sdp);
    assert.doesNotMatch(audioSection(remote), /a=ssrc-group:FID/, 'RTX on the audio m-line');
    await checkAudioPlays(h, page, { getPc: 'window.sess.viewer.pc', label: `rtcsignalbin (${who})` })
      .catch(async (err) => { throw new Error(`${err.message}\n--- frames ---\n${await transcript()}`); });
    const problems = await c.problems();
    assert.deepEqual(problems, { errors: [], unknown: [], unparseable: [], sessionErrors: [] },
      await transcript());
    h.assertHealthy(server.proc, producer);
  });
}
