// A minimal client of gst-plugins-rs' signalling protocol (docs/protocol.md),
// behaving the way gst-plugins-rs' own clients do where it matters for
// interoperability (gstwebrtc-api 3.0.0 in particular):
//
// - a consumer may put its own SDP offer in `startSession` (a string), with
//   recvonly transceivers and a "control" data channel, and then only
//   applies the producer's answer;
// - ICE candidates go out as `candidate.toJSON()` (with `sdpMid` and
//   `usernameFragment`), queued until the session id is known;
// - every `endSession` / `endSessionV1_1` received for a session it still
//   has is answered with an `endSession` of its own;
// - every frame received is logged; frames of a type the client does not
//   know (including `iceServers` it did not ask for) are collected in
//   `unknown`, `error` frames in `errors`, so tests can assert on them.
//
// Runs in a page (Chromium's WebSocket and RTCPeerConnection) and in Node
// with a global WebSocket (node --experimental-websocket) for signalling-only
// tests. Written for the tests from the protocol documentation.

// The request a client sends to be told the ICE servers (our extension).
export const ICE_SERVERS_REQUEST = 'getIceServers';

const KNOWN_TYPES = new Set([
  'welcome', 'peerStatusChanged', 'list', 'listConsumers', 'sessionStarted',
  'startSession', 'peer', 'endSession', 'endSessionV1_1', 'error',
]);

const DEFAULT_WAIT_MS = 15000;

function now() {
  return (typeof performance !== 'undefined' ? performance.now() : Date.now());
}

export class SignallingClient {
  constructor(url, { label = 'client', replyToEndSession = true, rtcConfig = null } = {}) {
    this.url = url;
    this.label = label;
    this.replyToEndSession = replyToEndSession;
    this.rtcConfig = rtcConfig || { bundlePolicy: 'max-bundle' };
    this.ws = null;
    this.peerId = null;
    this.frames = []; // { dir: 'in' | 'out', t, text, msg }
    this.received = []; // parsed messages received, in order
    this.unknown = []; // received messages of a type we do not know
    this.errors = []; // received `error` messages
    this.unparseable = [];
    this.sessions = new Map(); // sessionId -> Session
    this.pendingPeer = new Map(); // sessionId -> [peer messages that beat their session]
    this.askedIceServers = false;
    this.producer = null; // { stream, answered: n } once produce() was called
    this.closed = false;
    this.closeEvent = null;
    this._waiters = new Set();
  }

  // Opens the socket; resolves with the peer id of `welcome`.
  connect({ timeoutMs = DEFAULT_WAIT_MS, protocolVersion = null } = {}) {
    this.ws = new WebSocket(this.url);
    const welcome = this.waitFor((m) => m.type === 'welcome', { timeoutMs, what: 'welcome' });
    this.ws.onmessage = (ev) => this._onFrame(ev.data);
    this.ws.onclose = (ev) => {
      this.closed = true;
      this.closeEvent = { code: ev.code, reason: ev.reason };
      for (const w of [...this._waiters])
        w.check(null);
    };
    return new Promise((resolve, reject) => {
      this.ws.onopen = () => {
        if (protocolVersion)
          this.send({ type: 'setProtocolVersion', version: protocolVersion });
        welcome.then((m) => {
          this.peerId = m.peerId;
          resolve(m.peerId);
        }, reject);
      };
      this.ws.onerror = () => reject(new Error(`${this.label}: WebSocket to ${this.url} failed`));
    });
  }

  close() {
    for (const s of this.sessions.values())
      s._closePc();
    if (this.ws && this.ws.readyState <= 1)
      this.ws.close();
  }

  sendText(text) {
    this.frames.push({ dir: 'out', t: Math.round(now()), text });
    this.ws.send(text);
  }

  send(msg) {
    this.sendText(JSON.stringify(msg));
  }

  _onFrame(data) {
    const text = typeof data === 'string' ? data : String(data);
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      this.frames.push({ dir: 'in', t: Math.round(now()), text });
      this.unparseable.push(text);
      return;
    }
    this.frames.push({ dir: 'in', t: Math.round(now()), text });
    this.received.push(msg);
    if (msg.type === 'error')
      this.errors.push(msg);
    else if (msg.type === 'iceServers' && !this.askedIceServers)
      this.unknown.push(msg);
    else if (msg.type !== 'iceServers' && !KNOWN_TYPES.has(msg.type))
      this.unknown.push(msg);
    try {
      this._dispatch(msg);
    } catch (e) {
      this.frames.push({ dir: 'note', t: Math.round(now()), text: `dispatch error: ${e}` });
    }
    for (const w of [...this._waiters])
      w.check(msg);
  }

  // Resolves with the first received message (from index @since on, also
  // one already received) for which @pred is true.
  waitFor(pred, { timeoutMs = DEFAULT_WAIT_MS, since = 0, what = 'a matching message' } = {}) {
    for (let i = since; i < this.received.length; i++) {
      if (pred(this.received[i]))
        return Promise.resolve(this.received[i]);
    }
    return new Promise((resolve, reject) => {
      const w = {
        check: (msg) => {
          if (msg === null) {
            cleanup();
            reject(new Error(`${this.label}: socket closed while waiting for ${what} ` +
              `(close ${JSON.stringify(this.closeEvent)})`));
          } else if (pred(msg)) {
            cleanup();
            resolve(msg);
          }
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms; received: ` +
          this.received.map((m) => JSON.stringify(m).slice(0, 200)).join(' | ')));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this._waiters.delete(w);
      };
      this._waiters.add(w);
      if (this.closed)
        w.check(null);
    });
  }

  // Sends @msg and resolves with the next received message of type @type.
  request(msg, type, opts = {}) {
    const since = this.received.length;
    this.send(msg);
    return this.waitFor((m) => m.type === type, { since, what: `'${type}'`, ...opts });
  }

  setPeerStatus(roles, meta = null) {
    this.send({ type: 'setPeerStatus', roles, meta, peerId: null });
  }

  // Registers and, if listening, waits for our own peerStatusChanged (what
  // gstwebrtc-api waits for before it calls itself ready).
  async register(roles, meta = null) {
    const since = this.received.length;
    this.setPeerStatus(roles, meta);
    if (roles.includes('listener'))
      await this.waitFor((m) => m.type === 'peerStatusChanged' && m.peerId === this.peerId,
        { since, what: 'our own peerStatusChanged' });
  }

  list() {
    return this.request({ type: 'list' }, 'list');
  }

  listConsumers() {
    return this.request({ type: 'listConsumers' }, 'listConsumers');
  }

  requestIceServers(opts) {
    this.askedIceServers = true;
    return this.request({ type: ICE_SERVERS_REQUEST }, 'iceServers', opts);
  }

  endSession(sessionId) {
    this.send({ type: 'endSession', sessionId });
  }

  // Frames as text lines, for failure messages.
  transcript(max = 60) {
    const lines = this.frames.slice(-max).map((f) =>
      `${f.t} ${f.dir === 'in' ? '<-' : f.dir === 'out' ? '->' : '##'} ${f.text.length > 300 ? `${f.text.slice(0, 300)}…` : f.text}`);
    return `${this.label} (${this.peerId}):\n${lines.join('\n')}`;
  }

  // ---------------------------------------------------------------- sessions

  _dispatch(msg) {
    switch (msg.type) {
      case 'sessionStarted': {
        const s = [...this.sessions.values()].find((x) => x.id === null && x.peerId === msg.peerId);
        if (s)
          s._started(msg.sessionId);
        break;
      }
      case 'startSession':
        if (this.producer)
          this._onProducerStartSession(msg);
        break;
      case 'peer': {
        const s = this.sessions.get(msg.sessionId);
        if (s)
          s._onPeer(msg);
        else {
          const q = this.pendingPeer.get(msg.sessionId) || [];
          q.push(msg);
          this.pendingPeer.set(msg.sessionId, q);
        }
        break;
      }
      case 'endSession':
      case 'endSessionV1_1': {
        const s = this.sessions.get(msg.sessionId);
        if (s && !s.ended) {
          s._remoteEnded(msg);
          if (this.replyToEndSession)
            this.endSession(msg.sessionId);
        }
        break;
      }
      default:
        break;
    }
  }

  // A consumer session with @producerId. @offer: send our own offer in
  // startSession (recvonly @audio/@video transceivers, a "control" data
  // channel if @dataChannel); otherwise `offer` is left out, as
  // gstwebrtc-api does, and the producer offers.
  async consume(producerId, { offer = false, audio = true, video = true, dataChannel = true,
    offerField = 'omit' } = {}) {
    const s = new Session(this, producerId, 'consumer');
    this.sessions.set(s.key, s);
    s.createdAt = now();
    if (offer) {
      if (audio)
        s.pc.addTransceiver('audio', { direction: 'recvonly' });
      if (video)
        s.pc.addTransceiver('video', { direction: 'recvonly' });
      if (dataChannel)
        s.pc.createDataChannel('control');
      await s.pc.setLocalDescription(await s.pc.createOffer());
      s.offerer = 'local';
      this.send({ type: 'startSession', peerId: producerId, offer: s.pc.localDescription.toJSON().sdp });
    } else {
      s.offerer = 'remote';
      const msg = { type: 'startSession', peerId: producerId };
      if (offerField === 'null')
        msg.offer = null;
      this.send(msg);
    }
    await this._bounded(s.startedPromise, `sessionStarted for ${producerId}`);
    return s;
  }

  // @promise, or a rejection when an `error` arrives first or time runs out.
  _bounded(promise, what, timeoutMs = DEFAULT_WAIT_MS) {
    const since = this.received.length;
    return Promise.race([
      promise,
      this.waitFor((m) => m.type === 'error', { since, timeoutMs: timeoutMs + 1000, what: 'error' })
        .then((m) => { throw new Error(`${this.label}: error instead of ${what}: ${JSON.stringify(m)}`); }),
      new Promise((_, reject) => setTimeout(() =>
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms`)), timeoutMs)),
    ]);
  }

  // Registers as a producer sending @stream's tracks; every consumer's
  // startSession gets a session: offered by us, or answered when the
  // consumer sent an offer.
  async produce(stream, meta = { name: 'browser' }, roles = ['producer']) {
    this.producer = { stream };
    this.setPeerStatus(roles, meta);
  }

  async _onProducerStartSession(msg) {
    const s = new Session(this, msg.peerId, 'producer');
    s.createdAt = now();
    s._started(msg.sessionId);
    const stream = this.producer.stream;
    if (!s.pc || !stream)
      return;
    if (msg.offer) {
      s.offerer = 'remote';
      s.run(async () => {
        await s.pc.setRemoteDescription({ type: 'offer', sdp: msg.offer });
        // attach our tracks to the offered m-lines of their kind
        for (const track of stream.getTracks()) {
          const tr = s.pc.getTransceivers().find((t) => !t.sender.track && t.receiver.track &&
            t.receiver.track.kind === track.kind);
          if (tr) {
            await tr.sender.replaceTrack(track);
            tr.direction = tr.direction === 'recvonly' ? 'sendrecv' : 'sendonly';
          } else {
            s.pc.addTrack(track, stream);
          }
        }
        await s.pc.setLocalDescription(await s.pc.createAnswer());
        this.send({ type: 'peer', sessionId: s.id, sdp: s.pc.localDescription.toJSON() });
      });
    } else {
      s.offerer = 'local';
      for (const track of stream.getTracks())
        s.pc.addTrack(track, stream);
      s.run(async () => {
        await s.pc.setLocalDescription(await s.pc.createOffer());
        this.send({ type: 'peer', sessionId: s.id, sdp: s.pc.localDescription.toJSON() });
      });
    }
  }
}

// One peer connection in one session. In signalling-only use (no
// RTCPeerConnection) it only tracks the session id.
export class Session {
  constructor(client, peerId, role) {
    this.client = client;
    this.peerId = peerId;
    this.role = role;
    this.id = null;
    this.key = `pending:${peerId}:${Math.random()}`;
    this.ended = false;
    this.endedBy = null;
    this.endMessage = null;
    this.offerer = null;
    this.errors = [];
    this.tracks = [];
    this.streams = [];
    this.pendingCandidates = [];
    this.localCandidates = [];
    this.remoteCandidates = [];
    this.timeline = [];
    this.ops = Promise.resolve();
    this.startedPromise = new Promise((resolve) => { this._resolveStarted = resolve; });
    this.pc = typeof RTCPeerConnection === 'function' ? new RTCPeerConnection(client.rtcConfig) : null;
    if (this.pc) {
      this.pc.onicecandidate = (ev) => {
        if (!ev.candidate)
          return;
        const c = ev.candidate.toJSON();
        this.localCandidates.push(c);
        if (this.id)
          this.client.send({ type: 'peer', sessionId: this.id, ice: c });
        else
          this.pendingCandidates.push(c);
      };
      this.pc.ontrack = (ev) => {
        this.tracks.push(ev.track);
        for (const st of ev.streams) {
          if (!this.streams.includes(st))
            this.streams.push(st);
        }
        this.mark(`track-${ev.track.kind}`);
      };
      this.pc.onconnectionstatechange = () => this.mark(`pc-${this.pc.connectionState}`);
    }
  }

  mark(event) {
    this.timeline.push([event, Math.round(now())]);
  }

  // Runs SDP/ICE operations one after another, recording failures.
  run(fn) {
    this.ops = this.ops.then(() => (this.ended ? null : fn())).catch((err) => {
      this.errors.push(String(err));
      this.mark(`error: ${err}`);
    });
    return this.ops;
  }

  _started(sessionId) {
    this.client.sessions.delete(this.key);
    this.id = sessionId;
    this.key = sessionId;
    this.client.sessions.set(sessionId, this);
    this.mark('started');
    for (const c of this.pendingCandidates)
      this.client.send({ type: 'peer', sessionId, ice: c });
    this.pendingCandidates = [];
    const early = this.client.pendingPeer.get(sessionId) || [];
    this.client.pendingPeer.delete(sessionId);
    for (const m of early)
      this._onPeer(m);
    this._resolveStarted(this);
  }

  _onPeer(msg) {
    if (!this.pc)
      return;
    if (msg.sdp) {
      this.mark(`remote-${msg.sdp.type}`);
      this.run(async () => {
        await this.pc.setRemoteDescription({ type: msg.sdp.type, sdp: msg.sdp.sdp });
        if (msg.sdp.type === 'offer') {
          await this.pc.setLocalDescription(await this.pc.createAnswer());
          this.client.send({ type: 'peer', sessionId: this.id, sdp: this.pc.localDescription.toJSON() });
          this.mark('sent-answer');
        }
      });
    } else if (msg.ice) {
      this.remoteCandidates.push(msg.ice);
      if (msg.ice.candidate)
        this.run(() => this.pc.addIceCandidate(msg.ice));
    }
  }

  _remoteEnded(msg) {
    this.ended = true;
    this.endedBy = 'remote';
    this.endMessage = msg;
    this.mark('remote-end');
    this._closePc();
  }

  _closePc() {
    if (this.pc && this.pc.signalingState !== 'closed')
      this.pc.close();
  }

  // Ends the session from our side.
  end() {
    if (this.ended)
      return;
    this.ended = true;
    this.endedBy = 'local';
    this.mark('local-end');
    this.client.endSession(this.id);
    this._closePc();
  }

  // Renegotiation from our side: a new offer on the established session;
  // resolves once the remote's answer is applied.
  async renegotiate({ iceRestart = false, timeoutMs = DEFAULT_WAIT_MS } = {}) {
    const since = this.client.received.length;
    await this.run(async () => {
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart }));
      this.client.send({ type: 'peer', sessionId: this.id, sdp: this.pc.localDescription.toJSON() });
      this.mark('sent-reoffer');
    });
    await this.client.waitFor((m) => m.type === 'peer' && m.sessionId === this.id && m.sdp &&
      m.sdp.type === 'answer', { since, timeoutMs, what: `an answer to our re-offer in ${this.id}` });
    await this.ops;
    if (this.pc.signalingState !== 'stable')
      throw new Error(`${this.client.label}: re-offer in ${this.id} left the connection in ` +
        `${this.pc.signalingState}: ${this.errors.slice(-1)[0] || 'no error'}`);
    return this.pc.signalingState;
  }

  // Inbound RTP figures per kind, and the selected candidate pair.
  async stats() {
    const out = { video: null, audio: null, connectionState: this.pc.connectionState };
    const report = await this.pc.getStats();
    for (const r of report.values()) {
      if (r.type !== 'inbound-rtp')
        continue;
      const codec = r.codecId && report.get(r.codecId);
      if (r.kind === 'video' && !out.video) {
        out.video = {
          framesDecoded: r.framesDecoded || 0, framesReceived: r.framesReceived || 0,
          width: r.frameWidth || 0, height: r.frameHeight || 0, codec: codec ? codec.mimeType : null,
          bytesReceived: r.bytesReceived || 0, ssrc: r.ssrc, payloadType: codec ? codec.payloadType : null,
          // empty when Chromium decodes an SSRC the remote SDP did not
          // signal: the frames then reach no MediaStreamTrack
          trackIdentifier: r.trackIdentifier || '',
        };
      } else if (r.kind === 'audio' && !out.audio) {
        out.audio = {
          totalSamplesReceived: r.totalSamplesReceived || 0, packetsReceived: r.packetsReceived || 0,
          audioLevel: r.audioLevel || 0, totalAudioEnergy: r.totalAudioEnergy || 0,
          codec: codec ? codec.mimeType : null, bytesReceived: r.bytesReceived || 0,
        };
      }
    }
    return out;
  }
}

// --------------------------------------------------------- in-page helpers

// Shows @stream in the page's <video id="video">.
export function showStream(stream) {
  const video = document.getElementById('video');
  video.srcObject = stream;
  video.play().catch(() => {});
}

// Energy of @track around @freq Hz against the rest of the spectrum, from
// an AnalyserNode (the track also plays, muted, in an <audio> element:
// Chromium feeds WebAudio from a remote track only while a media element
// consumes it). Resolves with { peakHz, peakDb, toneDb, floorDb }.
export async function analyseTone(track, { freq = 440, settleMs = 1000 } = {}) {
  if (!window.__meshrtcAudio) {
    const ctx = new AudioContext();
    window.__meshrtcAudio = { ctx };
  }
  const { ctx } = window.__meshrtcAudio;
  if (ctx.state !== 'running')
    await ctx.resume();
  const ms = new MediaStream([track]);
  const el = new Audio();
  el.muted = true;
  el.srcObject = ms;
  el.play().catch(() => {});
  const src = ctx.createMediaStreamSource(ms);
  const an = ctx.createAnalyser();
  an.fftSize = 4096;
  an.smoothingTimeConstant = 0;
  src.connect(an);
  await new Promise((r) => setTimeout(r, settleMs));
  const bins = new Float32Array(an.frequencyBinCount);
  an.getFloatFrequencyData(bins);
  src.disconnect();
  el.srcObject = null;
  const hzPerBin = ctx.sampleRate / an.fftSize;
  let peak = 0;
  for (let i = 1; i < bins.length; i++) {
    if (bins[i] > bins[peak])
      peak = i;
  }
  const toneBin = Math.round(freq / hzPerBin);
  let toneDb = -Infinity;
  for (let i = toneBin - 2; i <= toneBin + 2; i++)
    toneDb = Math.max(toneDb, bins[i]);
  const sorted = [...bins].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const floorDb = sorted.length ? sorted[Math.floor(sorted.length / 2)] : -Infinity;
  return {
    peakHz: Math.round(peak * hzPerBin), peakDb: Math.round(bins[peak]),
    toneDb: Math.round(toneDb), floorDb: Math.round(floorDb), contextState: ctx.state,
    sampleRate: ctx.sampleRate,
  };
}

// ------------------------------------------------------------ Node helpers

// Opens a page on the signalling server's own origin (@httpUrl, e.g. the
// rtcmeshfanout's embedded server): our server only lets a browser page of
// its own origin open a WebSocket (allowed-origins), and Chromium lets a page
// it fetched from loopback reach loopback. The page is the server's viewer
// page with its script replaced by nothing (so no viewer runs; its
// <video id="video"> stays), and this library is injected as an inline
// module: window.proto.
const routedContexts = new WeakSet();
const CLIENT_MARK = 'meshrtc-conformance-client';

export async function openClientPage(h, httpUrl, { context = null, label = null } = {}) {
  const fs = await import('node:fs');
  const lib = fs.readFileSync(new URL(import.meta.url), 'utf8');
  context = context || h.contexts[0] || await h.launchBrowser();
  if (!routedContexts.has(context)) {
    routedContexts.add(context);
    await context.route('**/viewer.js', (route) => {
      const frame = route.request().frame();
      if (frame && frame.url().includes(CLIENT_MARK))
        return route.fulfill({ status: 200, contentType: 'text/javascript', body: '/* conformance client */' });
      return route.continue();
    });
  }
  // the server's origin with our script instead of the viewer's, so that
  // its WebSocket is same-origin; the viewer page's Content-Security-Policy
  // (no inline script, no eval) is for the viewer, not for this harness
  const page = await h.openPage(`${new URL('/', httpUrl).href}?${CLIENT_MARK}=1`,
    { context, label, bypassCSP: true });
  await page.evaluate(() => {
    document.title = 'gst-meshrtc protocol conformance client';
  });
  await page.addScriptTag({
    type: 'module',
    content: `${lib}\nwindow.proto = { SignallingClient, Session, showStream, analyseTone, ICE_SERVERS_REQUEST };\n` +
      'window.clients = {};\nwindow.protoReady = true;\n',
  });
  return page;
}

// A SignallingClient living in a page, driven from Node:
//   const a = await PageClient.create(page, 'viewer', wsUrl);
//   const id = await a.run((c, s, arg) => c.list(), arg);
// @fn runs in the page with the client, its current session (see
// consume/adopt below) and @arg; it must not close over Node variables.
export class PageClient {
  constructor(page, name) {
    this.page = page;
    this.name = name;
  }

  static async create(page, name, url, opts = {}) {
    await page.waitForFunction(() => window.protoReady === true, null, { timeout: 15000 });
    const pc = new PageClient(page, name);
    pc.peerId = await page.evaluate(([n, u, o]) => {
      const c = new window.proto.SignallingClient(u, { label: n, ...o });
      window.clients[n] = c;
      window.sess = window.sess || {};
      return c.connect();
    }, [name, url, opts]);
    return pc;
  }

  run(fn, arg = null) {
    return this.page.evaluate(([n, text, a]) => {
      const c = window.clients[n];
      // eslint-disable-next-line no-eval
      return (0, eval)(`(${text})`)(c, window.sess[n] || null, a);
    }, [this.name, fn.toString(), arg]);
  }

  // Starts a consumer session (see SignallingClient.consume) and makes it
  // the current session; resolves with its id.
  consume(producerId, opts = {}) {
    return this.run(async (c, s, [pid, o]) => {
      const sess = await c.consume(pid, o);
      window.sess[c.label] = sess;
      return sess.id;
    }, [producerId, opts]);
  }

  stats() {
    return this.run((c, s) => (s ? s.stats() : null));
  }

  transcript(max = 60) {
    return this.run((c, s, m) => c.transcript(m) + (s ? `\n  session ${s.id} timeline: ` +
      `${s.timeline.map(([e, t]) => `${t} ${e}`).join(', ')}; errors: ${s.errors.join(' | ')}` : ''), max)
      .catch((err) => `${this.name}: no transcript (${err.message})`);
  }

  // What a test asserts on: error frames, frames of unknown types and
  // unparseable ones, and SDP/ICE operations that failed in any session.
  problems() {
    return this.run((c) => ({
      errors: c.errors,
      unknown: c.unknown,
      unparseable: c.unparseable,
      sessionErrors: [...c.sessions.values()].flatMap((x) => x.errors.map((e) => `${x.id}: ${e}`)),
    }));
  }
}
