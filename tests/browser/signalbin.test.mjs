// End-to-end: rtcsignalbin against a real browser (headless Chromium), both
// directions, through gst-meshrtc-signalling-server and its viewer page.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createHarness } from './lib/harness.mjs';
import { pageState, waitForFramesDecoded, waitForGreenPicture } from './lib/playback.mjs';

test('self-check: a Chromium viewer page plays a Chromium camera page through the signalling server', async (t) => {
  const h = createHarness(t);
  const server = await h.startSignallingServer();
  await h.openPage(`${server.httpUrl}?mode=publish&name=cam`, { label: 'publisher' });
  const viewer = await h.openPage(`${server.httpUrl}?name=cam`, { label: 'viewer' });

  const stats = await waitForFramesDecoded(h, viewer);
  await waitForGreenPicture(h, viewer);
  const state = await pageState(viewer);
  console.log(`self-check: ${stats.framesDecoded} frames decoded, codec ${stats.codec}, ` +
    `${stats.width}x${stats.height}`);
  // Host candidates must be plain addresses: mDNS hiding is off.
  assert.ok(state.localCandidates.length > 0, 'the viewer gathered no ICE candidate');
  assert.ok(state.localCandidates.every((c) => !/\.local /.test(c)),
    `mDNS host candidates despite WebRtcHideLocalIpsWithMdns off: ${state.localCandidates}`);
});
