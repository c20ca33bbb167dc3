// Proof that a page really plays video: the decoder's frame counter from
// getStats() and the colours of the picture itself. A played but never
// decoded (black) frame passes neither.

// Inbound video stats of the page's current peer connection
// (window.meshrtc.pc, see web/viewer.js), or null before there is one.
export async function videoStats(page) {
  return page.evaluate(async () => {
    const pc = window.meshrtc && window.meshrtc.pc;
    if (!pc || pc.connectionState === 'closed')
      return null;
    const stats = await pc.getStats();
    for (const r of stats.values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        const codec = r.codecId && stats.get(r.codecId);
        return {
          framesDecoded: r.framesDecoded || 0,
          framesReceived: r.framesReceived || 0,
          bytesReceived: r.bytesReceived || 0,
          codec: codec ? codec.mimeType : null,
          width: r.frameWidth || 0,
          height: r.frameHeight || 0,
        };
      }
    }
    return { framesDecoded: 0, framesReceived: 0, bytesReceived: 0, codec: null, width: 0, height: 0 };
  });
}

export async function framesDecoded(page) {
  const s = await videoStats(page);
  return s ? s.framesDecoded : 0;
}

// Waits until the page has decoded at least @min frames and getStats()
// gives their size; returns the stats. (One snapshot of Chromium's showed
// framesDecoded 1 with frameWidth still 0: the size comes a little later.)
export async function waitForFramesDecoded(h, page, { min = 1, timeoutMs, intervalMs } = {}) {
  let last = null;
  let state = null;
  return h.waitFor(`${page.meshrtcLabel} has decoded ${min} video frame(s)`, async () => {
    last = await videoStats(page);
    if (last && last.framesDecoded >= min && last.width > 0)
      return last;
    state = await pageState(page);
    return null;
  }, {
    timeoutMs,
    intervalMs,
    detail: () => `stats ${JSON.stringify(last)}, page ${JSON.stringify(state)}`,
  });
}

// Average colour of a 5x5 block around each point of the <video>, points
// given as fractions of the width and height.
export async function samplePixels(page, points) {
  return page.evaluate((pts) => {
    const video = document.getElementById('video');
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h)
      return null;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    return pts.map(([fx, fy]) => {
      const x = Math.min(w - 5, Math.max(0, Math.round(fx * w) - 2));
      const y = Math.min(h - 5, Math.max(0, Math.round(fy * h) - 2));
      const d = ctx.getImageData(x, y, 5, 5).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) {
        sum[0] += d[i];
        sum[1] += d[i + 1];
        sum[2] += d[i + 2];
      }
      const n = d.length / 4;
      return { r: Math.round(sum[0] / n), g: Math.round(sum[1] / n), b: Math.round(sum[2] / n) };
    });
  }, points);
}

// videotestsrc's default SMPTE pattern: the top two thirds are seven bars,
// 75% white, yellow, cyan, green, magenta, red, blue. Checks the yellow
// (second) and the blue (last) bar.
const SMPTE_POINTS = [[1.5 / 7, 0.25], [6.5 / 7, 0.25]];

export function looksLikeSmpteBars(px) {
  if (!px)
    return false;
  const [yellow, blue] = px;
  return yellow.r > 140 && yellow.g > 140 && yellow.b < 90 &&
    blue.b > 140 && blue.r < 90 && blue.g < 90;
}

export async function waitForSmpteBars(h, page, { timeoutMs } = {}) {
  let last = null;
  return h.waitFor(`${page.meshrtcLabel} shows SMPTE colour bars (yellow at x=1.5/7, blue at x=6.5/7)`,
    async () => {
      last = await samplePixels(page, SMPTE_POINTS);
      return looksLikeSmpteBars(last) ? last : null;
    }, { timeoutMs, detail: () => JSON.stringify(last) });
}

// Chromium's fake camera draws a green frame with a moving pattern: most
// sample points are clearly green.
const GRID_POINTS = [];
for (const fy of [0.1, 0.3, 0.5, 0.7, 0.9]) {
  for (const fx of [0.1, 0.3, 0.5, 0.7, 0.9])
    GRID_POINTS.push([fx, fy]);
}

export function looksGreen(px) {
  if (!px)
    return false;
  const green = px.filter((c) => c.g > 100 && c.g > c.r + 40 && c.g > c.b + 40);
  return green.length >= px.length / 2;
}

export async function waitForGreenPicture(h, page, { timeoutMs } = {}) {
  let last = null;
  return h.waitFor(`${page.meshrtcLabel} shows a mostly green picture (Chromium's fake camera)`,
    async () => {
      last = await samplePixels(page, GRID_POINTS);
      return looksGreen(last) ? last : null;
    }, { timeoutMs, detail: () => JSON.stringify(last) });
}

// The page's viewer state (window.meshrtc), for messages.
export async function pageState(page) {
  return page.evaluate(() => {
    const m = window.meshrtc;
    if (!m)
      return null;
    return {
      state: m.state,
      wsState: m.wsState,
      peerId: m.peerId,
      sessionId: m.sessionId,
      connectionState: m.pc ? m.pc.connectionState : null,
      producerCount: m.producers.length,
      producers: m.producers.slice(0, 5),
      restarts: m.restarts,
      lastError: m.lastError,
      localCandidates: m.localCandidates,
      timeline: m.timeline.slice(-12).map(([e, t]) => `${t} ${e}`),
    };
  });
}
