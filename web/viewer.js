/* gst-meshrtc viewer page.
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Speaks the gst-plugins-rs signalling protocol (v1.1) to the server that
 * served this page. Viewer mode (default) watches one producer; publish mode
 * (?mode=publish&name=N) offers the camera to every consumer that starts a
 * session; call mode (?room=R&call=1) sends the camera and microphone, after
 * the user pressed Join, to every member of room R (other pages in call
 * mode, rtcsignalbin room=R) and shows each of them in a grid.
 * Server-provided text only ever reaches the DOM via textContent.
 * The page: the video fills the window; a bar below holds pause, mute,
 * fullscreen, a statistics overlay (from getStats()) and the stream picker
 * (by name); the state is said in words over the video.
 */
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const publishing = params.get('mode') === 'publish';
  const room = params.get('room');
  const name = params.get('name');
  const wantedId = params.get('producer');
  const relayOnly = params.get('relay') === '1';
  const withAudio = params.get('audio') === '1';
  const token = params.get('token');
  const calling = params.get('call') === '1';

  const STATS_INTERVAL_MS = 1000;
  const BACKOFF_MIN_MS = 250;
  const BACKOFF_MAX_MS = 5000;
  const DISCONNECTED_GRACE_MS = 3000;
  const CONNECT_TIMEOUT_MS = 10000; /* startSession to ICE+DTLS connected */

  const video = document.getElementById('video');
  const stateEl = document.getElementById('state');
  const statusEl = document.getElementById('status');
  const statsEl = document.getElementById('stats');
  const producerSel = document.getElementById('producer');
  const producerLabel = document.getElementById('producer-label');
  const pauseBtn = document.getElementById('pause');
  const muteBtn = document.getElementById('mute');
  const fullscreenBtn = document.getElementById('fullscreen');
  const statsBtn = document.getElementById('stats-toggle');
  const chatEl = document.getElementById('chat');
  const chatLog = document.getElementById('chat-log');
  const chatForm = document.getElementById('chat-form');
  const chatInput = document.getElementById('chat-input');
  const tilesEl = document.getElementById('tiles');
  const joinBtn = document.getElementById('join');

  /* Test hooks: state of the page, read by tests/browser. */
  const m = window.meshrtc = {
    mode: calling ? 'call' : publishing ? 'publish' : 'view',
    state: 'idle',
    wsState: 'closed',
    peerId: null,
    sessionId: null, /* viewer: current session */
    pc: null, /* viewer: current peer connection; publish: the newest one */
    producers: [],
    sessions: new Map(), /* sessionId -> session */
    iceServers: [],
    localCandidates: [],
    restarts: 0,
    lastError: null,
    stats: null, /* the figures of the statistics overlay, see pollStats() */
    timeline: [], /* [event, ms since page load], for latency figures */
    channel: null, /* viewer: the producer's data channel, once it offers one */
    received: [], /* viewer: its messages, strings or ArrayBuffers */
    joined: false, /* call: the user pressed Join */
  };

  let ws = null;
  let attempt = 0;
  let restartTimer = null;
  let starting = null; /* viewer: producer id we sent startSession for */
  let early = []; /* viewer: "peer" messages that beat sessionStarted */
  let mediaPromise = null;
  let retryAt = 0; /* when a scheduled restart runs (Date.now() ms) */
  let lastInbound = null; /* previous stats sample, for the bitrate */
  const calls = new Set(); /* call: member ids we sent startSession to */

  function mark(event) {
    m.timeline.push([event, Math.round(performance.now())]);
  }

  function producerName(id) {
    const p = m.producers.find((p) => p.id === id);
    return p && p.meta && p.meta.name != null ? String(p.meta.name) : null;
  }

  /* The state in words, for people; null when the video speaks for itself. */
  function stateWords(state, detail) {
    const who = producerName(watchedProducer());
    if (calling && !m.joined && state !== 'failed')
      return room ? `Press Join to send your camera and microphone to the call “${room}”.` :
        'Call mode needs a room: add ?room=NAME to the address.';
    switch (state) {
      case 'idle':
      case 'signalling':
        return detail === 'opening camera' ? 'Opening the camera…' : 'Connecting to the server…';
      case 'waiting':
        if (calling)
          return m.sessions.size ? null : `In the call “${room}”. Waiting for the others…`;
        if (publishing)
          return m.sessions.size ? null : `Publishing as “${name || 'browser'}”. Waiting for viewers…`;
        return name !== null ? `Waiting for the stream “${name}”…` : 'Waiting for a stream…';
      case 'negotiating':
        return who ? `Connecting to “${who}”…` : 'Connecting…';
      case 'playing':
        return video.readyState >= 2 ? null : 'Starting the video…';
      case 'sending':
        return null;
      case 'restarting': {
        const s = Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
        return `Connection lost. Reconnecting in ${s} s…`;
      }
      case 'failed':
        return `Could not start: ${detail || 'unknown error'}`;
      default:
        return state;
    }
  }

  function setState(state, detail) {
    m.state = state;
    const peer = m.pc ? ` / peer ${m.pc.connectionState}` : '';
    statusEl.textContent = `${m.mode}: ${state}${detail ? ` (${detail})` : ''}` +
      ` / signalling ${m.wsState}${peer}`;
    m.stateDetail = detail || null;
    renderState();
  }

  function renderState() {
    const words = stateWords(m.state, m.stateDetail);
    stateEl.textContent = words || '';
    stateEl.classList.toggle('hidden', !words);
  }

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify(msg));
  }

  function signallingUrl() {
    const url = new URL('/', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    if (token)
      url.searchParams.set('token', token);
    return url.href;
  }

  /* Capped exponential backoff with jitter: 250 ms doubling up to 5 s,
   * each delay drawn from [d/2, d]. */
  function backoffDelay() {
    const d = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt = Math.min(attempt + 1, 16);
    return d / 2 + Math.random() * d / 2;
  }

  /* Tries again later, after the caller has torn down what failed: the
   * signalling connection if it is gone, else (viewer) a new session. */
  function scheduleRestart(reason) {
    if (restartTimer)
      return;
    m.restarts++;
    m.lastError = reason;
    mark(`restart: ${reason}`);
    const delay = backoffDelay();
    retryAt = Date.now() + delay;
    setState('restarting', `${reason}; retry in ${Math.round(delay)} ms`);
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (!ws || ws.readyState !== WebSocket.OPEN)
        connect();
      else if (!publishing)
        send({ type: 'list' });
    }, delay);
  }

  function connect() {
    if (ws) {
      ws.onclose = ws.onerror = ws.onmessage = ws.onopen = null;
      ws.close();
    }
    m.wsState = 'connecting';
    setState('signalling');
    ws = new WebSocket(signallingUrl());
    ws.onopen = () => {
      m.wsState = 'open';
      mark('ws-open');
      send({ type: 'setProtocolVersion', version: 'v1_1' });
      setState('signalling', 'waiting for welcome');
    };
    ws.onclose = () => {
      m.wsState = 'closed';
      ws = null;
      m.peerId = null;
      /* Media flows peer to peer: a connected session outlives signalling
       * (as an orphan the next server does not know); others cannot finish. */
      for (const s of [...m.sessions.values()]) {
        if (s.pc.connectionState === 'connected')
          s.orphan = true;
        else if (s.id === m.sessionId)
          endViewerSession(false);
        else
          closeSession(s);
      }
      starting = null;
      m.producers = []; /* stale: the next server announces them again */
      renderProducers();
      scheduleRestart('signalling connection closed');
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (e) {
        console.warn('meshrtc: unparseable message', e);
        return;
      }
      handleMessage(msg);
    };
  }

  function handleMessage(msg) {
    switch (msg.type) {
      case 'welcome':
        mark('welcome');
        m.peerId = msg.peerId;
        if (calling)
          registerCall();
        else if (publishing)
          registerProducer();
        else
          registerListener();
        break;
      case 'iceServers': /* gst-meshrtc extension, the answer to getIceServers;
                          * used by the next RTCPeerConnection */
        m.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
        break;
      case 'list':
        m.producers = (msg.producers || []).map((p) => ({ id: p.id, meta: p.meta || null }))
          .filter(inOurRoom);
        renderProducers();
        if (calling)
          maybeCall();
        else
          maybeWatch();
        break;
      case 'peerStatusChanged':
        onPeerStatusChanged(msg);
        break;
      case 'sessionStarted':
        onSessionStarted(msg);
        break;
      case 'startSession':
        if (publishing || (calling && m.joined))
          onConsumerStartSession(msg);
        break;
      case 'peer':
        onPeerMessage(msg);
        break;
      case 'endSession':
      case 'endSessionV1_1':
        onEndSession(msg);
        break;
      case 'error':
        m.lastError = String(msg.details);
        console.warn('meshrtc: server error:', msg.details);
        if (calling) {
          /* e.g. a member we asked left first: ask again whom is there */
          calls.clear();
          send({ type: 'list' });
        } else if (!publishing && starting && !m.sessionId) {
          /* Most likely our startSession was refused. */
          endViewerSession(false);
          scheduleRestart(`server error: ${msg.details}`);
        }
        break;
      default:
        break;
    }
  }

  /* Our server only shows peers of our room; gst-plugins-rs' server shows
   * every peer, so filter by meta.room ourselves too. */
  function inOurRoom(p) {
    return ((p.meta && p.meta.room) || null) === (room || null);
  }

  function roomMeta(meta) {
    if (room)
      meta.room = room;
    return meta;
  }

  /* ---------------- viewer ---------------- */

  function registerListener() {
    send({ type: 'setPeerStatus', roles: ['listener'], meta: room ? roomMeta({}) : null });
    /* gst-meshrtc extension: TURN credentials only go to registered peers
     * that ask. Our server answers in order, so they are here before the
     * list answer, hence before any RTCPeerConnection is made. */
    send({ type: 'getIceServers' });
    send({ type: 'list' });
    if (m.sessionId)
      setState(m.state, 'signalling restored');
    else
      setState('waiting', 'looking for producers');
  }

  function onPeerStatusChanged(msg) {
    if (msg.peerId === m.peerId)
      return;
    m.producers = m.producers.filter((p) => p.id !== msg.peerId);
    const p = { id: msg.peerId, meta: msg.meta || null };
    if ((msg.roles || []).includes('producer') && inOurRoom(p))
      m.producers.push(p);
    renderProducers();
    if (calling)
      maybeCall();
    else if (!publishing)
      maybeWatch();
  }

  /* The stream picker: names, never peer ids ("stream 2" for one without
   * a name). */
  function renderProducers() {
    const watched = watchedProducer();
    let unnamed = 0;
    producerSel.replaceChildren(...m.producers.map((p) => {
      const opt = document.createElement('option');
      opt.value = p.id;
      opt.textContent = producerName(p.id) ?? `stream ${++unnamed}`;
      opt.selected = p.id === watched;
      return opt;
    }));
    if (!m.producers.length) {
      const opt = document.createElement('option');
      opt.textContent = 'no stream yet';
      opt.disabled = true;
      producerSel.replaceChildren(opt);
    }
    producerSel.disabled = !m.producers.length;
  }

  function watchedProducer() {
    const s = m.sessions.get(m.sessionId);
    return s ? s.peerId : starting;
  }

  function chooseProducer() {
    const ps = m.producers;
    if (wantedId)
      return ps.find((p) => p.id === wantedId);
    if (name !== null)
      return ps.find((p) => p.meta && p.meta.name === name);
    return ps[0];
  }

  function maybeWatch() {
    if (publishing || starting || m.sessionId || restartTimer)
      return;
    const p = chooseProducer();
    if (p)
      startSession(p.id);
    else
      setState('waiting', 'no matching producer');
  }

  /* Viewer click: switch to another producer. */
  function watch(id) {
    endViewerSession(true);
    startSession(id);
  }

  function startSession(producerId) {
    starting = producerId;
    early = [];
    send({ type: 'startSession', peerId: producerId, offer: null });
    mark('start-session');
    setState('negotiating', 'session requested');
    renderProducers();
  }

  function onSessionStarted(msg) {
    if (calling && calls.has(msg.peerId)) {
      newCallSession(msg.sessionId, msg.peerId);
      return;
    }
    if (publishing || msg.peerId !== starting)
      return;
    starting = null;
    mark('session-started');
    const s = newSession(msg.sessionId, msg.peerId);
    m.sessionId = s.id;
    video.srcObject = null;
    s.pc.ontrack = (ev) => {
      if (ev.track.kind !== 'video' && video.srcObject)
        return;
      video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      video.play().catch(() => {});
    };
    s.pc.ondatachannel = (ev) => onDataChannel(s, ev.channel);
    setState('negotiating', 'waiting for offer');
    renderProducers();
    for (const p of early.filter((p) => p.sessionId === s.id))
      onPeerMessage(p);
    early = [];
  }

  /* Ends our viewer session (telling the server if @notify) without
   * scheduling anything. */
  function endViewerSession(notify) {
    starting = null;
    const s = m.sessions.get(m.sessionId);
    m.sessionId = null;
    if (s) {
      if (notify && !s.orphan)
        send({ type: 'endSession', sessionId: s.id });
      closeSession(s);
    }
    video.srcObject = null;
    m.channel = null;
    chatEl.hidden = true;
  }

  /* ---------------- chat (the producer's data channel) ---------------- */

  /* The producer offered a data channel (rtcmeshfanout data-channel=, or
   * a data_%u pad): a chat panel shows what comes on it and sends what is
   * typed. Binary messages are shown by their size. */
  function onDataChannel(s, channel) {
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => {
      if (s.id !== m.sessionId)
        return;
      m.channel = channel;
      chatEl.hidden = false;
      chatInput.disabled = false;
      mark('data-channel-open');
    };
    channel.onmessage = (ev) => {
      m.received.push(ev.data);
      chatLine(producerName(s.peerId), typeof ev.data === 'string' ? ev.data :
        `[${ev.data.byteLength} bytes]`, false);
    };
    channel.onclose = () => {
      if (m.channel === channel) {
        m.channel = null;
        chatInput.disabled = true;
      }
    };
  }

  const CHAT_LINES = 200;

  function chatLine(from, text, mine) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = `${from}:`;
    li.append(who, document.createTextNode(text));
    if (mine)
      li.className = 'mine';
    chatLog.append(li);
    while (chatLog.children.length > CHAT_LINES)
      chatLog.firstElementChild.remove();
    chatLog.scrollTop = chatLog.scrollHeight;
  }

  chatForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = chatInput.value;
    if (!text || !m.channel || m.channel.readyState !== 'open')
      return;
    m.channel.send(text);
    chatLine('me', text, true);
    chatInput.value = '';
  });

  /* ---------------- publisher ---------------- */

  /* Publish mode, and call mode after Join: the camera (and microphone),
   * then we register as a producer (a call member also listens, to find
   * the others). */
  function registerProducer() {
    if (!mediaPromise)
      mediaPromise = navigator.mediaDevices.getUserMedia({ video: true, audio: withAudio || calling });
    setState('signalling', 'opening camera');
    mediaPromise.then((stream) => {
      if (!video.srcObject)
        video.srcObject = stream;
      renderControls();
      send({ type: 'setPeerStatus', roles: calling ? ['producer', 'listener'] : ['producer'],
        meta: roomMeta({ name: name || 'browser' }) });
      send({ type: 'getIceServers' }); /* see registerListener() */
      if (calling) {
        calls.clear();
        send({ type: 'list' });
      }
      setState('waiting', calling ? 'joined' : 'published, waiting for consumers');
    }, (err) => {
      mediaPromise = null;
      if (calling) {
        m.joined = false;
        joinBtn.hidden = false;
      }
      setState('failed', `camera: ${err.name}`);
      m.lastError = String(err);
    });
  }

  async function onConsumerStartSession(msg) {
    let stream;
    try {
      stream = await mediaPromise;
    } catch (err) {
      stream = null;
    }
    if (!stream) {
      send({ type: 'endSession', sessionId: msg.sessionId });
      return;
    }
    const s = calling ? newCallSession(msg.sessionId, msg.peerId) :
      newSession(msg.sessionId, msg.peerId);
    for (const track of stream.getTracks())
      s.pc.addTrack(track, stream);
    setState('negotiating', `${m.sessions.size} session(s)`);
    s.run(async () => {
      if (msg.offer) { /* the consumer offered: answer it */
        await s.pc.setRemoteDescription({ type: 'offer', sdp: msg.offer.sdp || msg.offer });
        await s.pc.setLocalDescription(await s.pc.createAnswer());
      } else {
        await s.pc.setLocalDescription(await s.pc.createOffer());
      }
      send({ type: 'peer', sessionId: s.id, sdp: { type: s.pc.localDescription.type, sdp: s.pc.localDescription.sdp } });
    });
  }

  /* ---------------- call ---------------- */

  /* Join: the camera and microphone (the browser asks the user), then we
   * are a member of the room, producer and listener like rtcsignalbin
   * room=R. */
  function join() {
    if (m.joined || !room)
      return;
    m.joined = true;
    joinBtn.hidden = true;
    /* asked now, while the click counts as the user's gesture */
    mediaPromise = navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    if (m.peerId)
      registerProducer();
    else
      renderState();
  }

  function registerCall() {
    if (m.joined) {
      registerProducer();
      return;
    }
    /* before Join: watch who is in the room */
    send({ type: 'setPeerStatus', roles: ['listener'], meta: roomMeta({}) });
    send({ type: 'list' });
    setState('waiting', 'press Join');
  }

  /* One session per pair of members, asked for by the member whose id
   * sorts lower, as rtcsignalbin does: the other one offers. */
  function maybeCall() {
    if (!m.joined || !m.peerId || !mediaPromise)
      return;
    for (const p of m.producers) {
      const busy = [...m.sessions.values()].some((s) => s.peerId === p.id);
      if (p.id > m.peerId && !busy && !calls.has(p.id)) {
        calls.add(p.id);
        send({ type: 'startSession', peerId: p.id, offer: null });
      }
    }
  }

  /* A session with another member: a tile with its name, its media in
   * it; our camera and microphone go on the transceivers it offers. */
  function newCallSession(id, peerId) {
    calls.delete(peerId);
    const s = newSession(id, peerId);
    const li = document.createElement('li');
    const v = document.createElement('video');
    const label = document.createElement('span');
    v.autoplay = true;
    v.playsInline = true;
    label.className = 'name';
    label.textContent = producerName(peerId) ?? 'someone';
    li.append(v, label);
    li.dataset.peer = peerId;
    tilesEl.append(li);
    s.tile = li;
    s.pc.ontrack = (ev) => {
      if (!v.srcObject)
        v.srcObject = new MediaStream();
      v.srcObject.addTrack(ev.track);
      v.play().catch(() => {});
    };
    s.beforeAnswer = async () => {
      const stream = await mediaPromise;
      for (const track of stream.getTracks()) {
        const t = s.pc.getTransceivers().find((x) => !x.sender.track &&
          x.receiver.track && x.receiver.track.kind === track.kind);
        if (t) {
          await t.sender.replaceTrack(track);
          t.direction = 'sendrecv';
        }
      }
    };
    layoutTiles();
    return s;
  }

  function callEnded(s, reason) {
    layoutTiles();
    setState('waiting', `${reason}; ${m.sessions.size} session(s)`);
    /* a member still in the room is asked again (by the lower id) */
    setTimeout(maybeCall, BACKOFF_MIN_MS);
  }

  /* ceil(sqrt(N)) columns, as rtcsignalbin mix=true lays its grid out */
  function layoutTiles() {
    const n = tilesEl.children.length;
    const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
    tilesEl.style.gridTemplateColumns = `repeat(${cols}, 1fr)`;
    renderState();
  }

  /* ---------------- sessions (all modes) ---------------- */

  function newSession(id, peerId) {
    const config = { bundlePolicy: 'max-bundle', iceServers: m.iceServers };
    if (relayOnly)
      config.iceTransportPolicy = 'relay';
    const pc = new RTCPeerConnection(config);
    const s = { id, peerId, pc, ops: Promise.resolve(), timer: null, closed: false };
    /* A peer that never offers or answers must not leave us hanging. */
    s.timer = setTimeout(() => sessionLost(s, `not connected within ${CONNECT_TIMEOUT_MS} ms`),
      CONNECT_TIMEOUT_MS);
    /* Serialise SDP and ICE operations: a candidate must not be added before
     * the description it belongs to. */
    s.run = (fn) => {
      s.ops = s.ops.then(() => (s.closed ? null : fn())).catch((err) => {
        console.warn('meshrtc: session', s.id, err);
        m.lastError = String(err);
      });
    };
    pc.onicecandidate = (ev) => {
      if (!ev.candidate || !ev.candidate.candidate)
        return;
      const c = ev.candidate.toJSON();
      m.localCandidates.push(c.candidate);
      send({ type: 'peer', sessionId: id, ice: { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex ?? 0 } });
    };
    pc.onconnectionstatechange = () => onConnectionState(s);
    m.sessions.set(id, s);
    m.pc = pc;
    return s;
  }

  function closeSession(s) {
    s.closed = true;
    if (s.tile)
      s.tile.remove();
    clearTimeout(s.timer);
    s.pc.onicecandidate = s.pc.ontrack = s.pc.onconnectionstatechange =
      s.pc.ondatachannel = null;
    s.pc.close();
    m.sessions.delete(s.id);
    if (m.sessionId === s.id)
      m.sessionId = null;
  }

  /* The peer failed: end it; the viewer looks for a stream again. */
  function sessionLost(s, reason) {
    if (calling) {
      if (!s.orphan)
        send({ type: 'endSession', sessionId: s.id });
      closeSession(s);
      callEnded(s, reason);
    } else if (publishing) {
      if (!s.orphan)
        send({ type: 'endSession', sessionId: s.id });
      closeSession(s);
      setState('waiting', `${reason}; ${m.sessions.size} session(s)`);
    } else if (s.id === m.sessionId) {
      endViewerSession(true);
      scheduleRestart(reason);
    }
  }

  function onConnectionState(s) {
    const st = s.pc.connectionState;
    if (st === 'connected') {
      clearTimeout(s.timer);
      mark('connected');
      attempt = 0;
      setState(publishing || calling ? 'sending' : 'playing', `${m.sessions.size} session(s)`);
    } else if (st === 'failed') {
      sessionLost(s, 'peer connection failed');
    } else if (st === 'disconnected') {
      /* ICE may recover by itself; give it a moment. */
      clearTimeout(s.timer);
      s.timer = setTimeout(() => sessionLost(s, 'peer connection disconnected'),
        DISCONNECTED_GRACE_MS);
      setState(m.state, 'peer disconnected');
    } else {
      setState(m.state);
    }
  }

  function onPeerMessage(msg) {
    const s = m.sessions.get(msg.sessionId);
    if (!s) {
      if (!publishing && starting)
        early.push(msg);
      return;
    }
    if (msg.sdp) {
      mark(`remote-${msg.sdp.type}`);
      s.run(async () => {
        await s.pc.setRemoteDescription(msg.sdp);
        if (msg.sdp.type === 'offer' && s.beforeAnswer)
          await s.beforeAnswer();
        if (msg.sdp.type === 'offer') {
          await s.pc.setLocalDescription(await s.pc.createAnswer());
          send({ type: 'peer', sessionId: s.id, sdp: { type: 'answer', sdp: s.pc.localDescription.sdp } });
        }
      });
    } else if (msg.ice && msg.ice.candidate) {
      const ice = { candidate: msg.ice.candidate, sdpMLineIndex: msg.ice.sdpMLineIndex ?? 0 };
      s.run(() => s.pc.addIceCandidate(ice));
    }
  }

  function onEndSession(msg) {
    const s = m.sessions.get(msg.sessionId);
    if (!s)
      return;
    if (calling) {
      closeSession(s);
      callEnded(s, msg.error ? `session ended: ${msg.error}` : 'session ended');
    } else if (publishing) {
      closeSession(s);
      setState('waiting', `${m.sessions.size} session(s)`);
    } else {
      endViewerSession(false);
      scheduleRestart(msg.error ? `session ended: ${msg.error}` : 'session ended');
    }
  }

  /* ---------------- the page's controls ---------------- */

  /* Call mode: pause and mute act on what we send (our camera and
   * microphone tracks), and our own preview stays muted. */
  function localTrack(kind) {
    const stream = video.srcObject;
    return calling && stream ? stream.getTracks().find((x) => x.kind === kind) : null;
  }

  function renderControls() {
    if (calling) {
      const cam = localTrack('video');
      const mic = localTrack('audio');
      pauseBtn.textContent = cam && !cam.enabled ? 'Start camera' : 'Stop camera';
      pauseBtn.setAttribute('aria-pressed', String(!!cam && !cam.enabled));
      muteBtn.textContent = mic && !mic.enabled ? 'Unmute microphone' : 'Mute microphone';
      muteBtn.setAttribute('aria-pressed', String(!!mic && !mic.enabled));
    } else {
      pauseBtn.textContent = video.paused ? 'Play' : 'Pause';
      pauseBtn.setAttribute('aria-pressed', String(video.paused));
      muteBtn.textContent = video.muted ? 'Unmute' : 'Mute';
      muteBtn.setAttribute('aria-pressed', String(video.muted));
    }
    fullscreenBtn.textContent = document.fullscreenElement ? 'Exit fullscreen' : 'Fullscreen';
    statsBtn.setAttribute('aria-pressed', String(!statsEl.hidden));
  }

  pauseBtn.addEventListener('click', () => {
    const cam = localTrack('video');
    if (calling) {
      if (cam)
        cam.enabled = !cam.enabled;
      renderControls();
    } else if (video.paused)
      video.play().catch(() => {});
    else
      video.pause();
  });
  muteBtn.addEventListener('click', () => {
    const mic = localTrack('audio');
    if (calling) {
      if (mic)
        mic.enabled = !mic.enabled;
      renderControls();
    } else {
      video.muted = !video.muted;
    }
  });
  fullscreenBtn.addEventListener('click', () => {
    /* the whole page, so that the bar stays reachable */
    const req = document.fullscreenElement ? document.exitFullscreen() :
      document.documentElement.requestFullscreen();
    if (req)
      req.catch((err) => { m.lastError = `fullscreen: ${err.message}`; });
  });
  statsBtn.addEventListener('click', () => {
    statsEl.hidden = !statsEl.hidden;
    renderStats();
    renderControls();
  });
  producerSel.addEventListener('change', () => {
    if (producerSel.value && producerSel.value !== watchedProducer())
      watch(producerSel.value);
  });
  for (const ev of ['play', 'pause', 'volumechange'])
    video.addEventListener(ev, renderControls);
  document.addEventListener('fullscreenchange', renderControls);
  video.addEventListener('loadeddata', () => {
    mark('video-loadeddata');
    renderState();
  });
  if (publishing || calling)
    producerSel.hidden = producerLabel.hidden = true;
  if (calling) {
    document.body.classList.add('call');
    tilesEl.hidden = false;
    joinBtn.hidden = !room;
    joinBtn.addEventListener('click', join);
  }

  /* ---------------- statistics (getStats) ---------------- */

  function renderStats() {
    if (statsEl.hidden)
      return;
    const st = m.stats;
    if (!st) {
      statsEl.textContent = 'No statistics yet';
      return;
    }
    const fmt = (v, unit, digits = 0) => (v == null ? '–' : `${v.toFixed(digits)} ${unit}`);
    statsEl.textContent = [
      `Resolution    ${st.width && st.height ? `${st.width}×${st.height}` : '–'}`,
      `Frame rate    ${fmt(st.fps, 'fps')}`,
      `Bitrate       ${fmt(st.bitrate == null ? null : st.bitrate / 1000, 'kbit/s')}`,
      `Round trip    ${fmt(st.rtt, 'ms', 1)}`,
      `Packet loss   ${fmt(st.loss, '%', 1)}`,
      `Jitter buffer ${fmt(st.jitterBuffer, 'ms')}`,
      `Codec         ${st.codec || '–'}`,
    ].join('\n');
  }

  /* Video figures of the current peer connection: what we receive, or
   * (publishing) what we send on the newest one. */
  async function pollStats() {
    const pc = publishing ? m.pc : calling ? ([...m.sessions.values()][0] || {}).pc :
      (m.sessions.get(m.sessionId) || {}).pc;
    if (!pc || pc.connectionState === 'closed') {
      m.stats = null;
      lastInbound = null;
      renderStats();
      return;
    }
    let report;
    try {
      report = await pc.getStats();
    } catch (err) {
      return;
    }
    let rtp = null;
    let pair = null;
    report.forEach((r) => {
      if (r.kind === 'video' && r.type === (publishing ? 'outbound-rtp' : 'inbound-rtp'))
        rtp = r;
      else if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded')
        pair = r;
    });
    if (!rtp) {
      m.stats = null;
      renderStats();
      return;
    }
    const bytes = publishing ? rtp.bytesSent : rtp.bytesReceived;
    let bitrate = null;
    if (lastInbound && lastInbound.id === rtp.id && rtp.timestamp > lastInbound.timestamp)
      bitrate = (bytes - lastInbound.bytes) * 8 / ((rtp.timestamp - lastInbound.timestamp) / 1000);
    lastInbound = { id: rtp.id, bytes, timestamp: rtp.timestamp };
    const codec = rtp.codecId ? report.get(rtp.codecId) : null;
    const lost = rtp.packetsLost || 0;
    const received = rtp.packetsReceived || 0;
    m.stats = {
      width: rtp.frameWidth || null,
      height: rtp.frameHeight || null,
      fps: rtp.framesPerSecond ?? null,
      bitrate,
      rtt: pair && pair.currentRoundTripTime != null ? pair.currentRoundTripTime * 1000 : null,
      loss: publishing ? null : (lost + received ? 100 * lost / (lost + received) : 0),
      jitterBuffer: rtp.jitterBufferEmittedCount ?
        1000 * rtp.jitterBufferDelay / rtp.jitterBufferEmittedCount : null,
      codec: codec ? codec.mimeType : null,
    };
    renderStats();
  }

  setInterval(() => {
    pollStats();
    if (m.state === 'restarting')
      renderState(); /* the countdown */
  }, STATS_INTERVAL_MS);

  renderProducers();
  renderControls();
  connect();
})();
