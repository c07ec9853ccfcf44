// VoiceBridge demo page: the OpenAI Realtime GA protocol from a browser, two ways. Relayed: over the bridge's
// /v1/realtime WebSocket, 24 kHz PCM16 both ways (AudioWorklets). Direct: WebRTC to the model through
// POST /v1/realtime/calls (the bridge answers only once it holds the call's sideband), events on the oai-events data
// channel. Token: POST /demo/client_secret (development-only). Everything the page shows is also in
// window.voiceBridgeDemo, which the end-to-end tests read.
'use strict';

(() => {
  const RATE = 24000;
  const TRANSCRIPTION_MODEL = 'gpt-4o-mini-transcribe';
  // A remote-track block louder than this (about -34 dBFS) after speech_stopped is the reply's first audio.
  const ONSET_PEAK = 0.02;

  const demo = {
    state: 'idle',
    transport: 'relayed',
    callId: null, // direct calls: the call's id from the Location header
    errors: [],
    // latencyMs: to the reply's first sample (relayed: out of the jitter buffer; direct: the first audible one, all a
    // WebRTC track can tell). audibleMs: to its first audible sample, both ways: what the comparison table shows.
    turns: [], // {transport, userItemId, speechStoppedAt, responseId, firstDeltaMs, firstAudioAt, latencyMs, audibleMs}
    transcripts: { user: [], assistant: [] },
    audio: { chunksSent: 0, deltasReceived: 0, msReceived: 0, msPlayed: 0, bargeIns: 0 },
    events: {},
  };
  window.voiceBridgeDemo = demo;

  const $ = (id) => document.getElementById(id);
  const ui = {
    connect: $('connect'), disconnect: $('disconnect'), status: $('status'), level: $('level'),
    latencyLast: $('latency-last'), latencyMedian: $('latency-median'), turnCount: $('turn-count'),
    played: $('played'), conversation: $('conversation'), errors: $('errors'),
  };

  let ws = null;
  let pc = null;
  let channel = null;
  let peerFrame = null;
  let directPlayingSince = 0;
  let context = null;
  let stream = null;
  let player = null;
  let eventCounter = 0;
  const entries = new Map(); // item_id -> {li, text}
  const responses = new Map(); // response_id -> {itemId, receivedMs, playedMs, cancelled, done}
  let pendingTurn = null; // the turn waiting for its reply's first audio

  function setState(state) {
    demo.state = state;
    ui.status.textContent = state;
    ui.status.dataset.state = state;
    const busy = state === 'connecting' || state === 'live';
    ui.connect.disabled = busy;
    ui.disconnect.disabled = !busy;
  }

  function reportError(message) {
    demo.errors.push(message);
    const li = document.createElement('li');
    li.textContent = message;
    ui.errors.appendChild(li);
  }

  function send(event) {
    event.event_id = 'client_' + (++eventCounter);
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(event));
    } else if (channel && channel.readyState === 'open') {
      channel.send(JSON.stringify(event));
    }
  }

  // ---- transcripts -------------------------------------------------------------------------------------------

  function entry(itemId, who) {
    let found = entries.get(itemId);
    if (!found) {
      const li = document.createElement('li');
      li.className = who;
      li.dataset.itemId = itemId;
      const label = document.createElement('span');
      label.className = 'who';
      label.textContent = who === 'user' ? 'You' : 'Assistant';
      const text = document.createElement('span');
      text.className = 'text';
      const meta = document.createElement('span');
      meta.className = 'meta';
      li.append(label, text, meta);
      ui.conversation.appendChild(li);
      found = { li, text, meta, who, value: '' };
      entries.set(itemId, found);
      demo.transcripts[who].push({ itemId, text: '' });
    }
    return found;
  }

  function setText(itemId, who, value) {
    const e = entry(itemId, who);
    e.value = value;
    e.text.textContent = value || '…';
    const record = demo.transcripts[who].find((t) => t.itemId === itemId);
    record.text = value;
  }

  // ---- latency -----------------------------------------------------------------------------------------------

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };

  function showLatency() {
    const current = demo.turns.filter((t) => t.transport === demo.transport);
    const measured = current.filter((t) => t.latencyMs !== undefined).map((t) => t.latencyMs);
    ui.turnCount.textContent = String(current.length);
    for (const row of document.querySelectorAll('.compare tbody tr')) {
      const values = demo.turns.filter((t) => t.transport === row.dataset.transport && t.audibleMs !== undefined).map((t) => t.audibleMs);
      row.querySelector('.n').textContent = String(values.length);
      if (values.length > 0) {
        row.querySelector('.last').textContent = Math.round(values[values.length - 1]) + ' ms';
        row.querySelector('.median').textContent = Math.round(median(values)) + ' ms';
      }
    }
    if (measured.length === 0) {
      return;
    }
    ui.latencyLast.textContent = Math.round(measured[measured.length - 1]) + ' ms';
    ui.latencyMedian.textContent = Math.round(median(measured)) + ' ms';
  }

  // The first loud block of the reply after speech_stopped (the remote track when direct, the player's output when
  // relayed): the reply's first audible audio, measured the same way for both transports.
  function onReplyPeak(peak) {
    if (peak < ONSET_PEAK) return;
    const turn = demo.turns.find((t) => t.transport === demo.transport && t.audibleMs === undefined && t.responseId);
    if (!turn) return;
    const now = performance.now();
    turn.audibleMs = now - turn.speechStoppedAt;
    if (demo.transport === 'direct') {
      turn.firstAudioAt = now;
      turn.latencyMs = turn.audibleMs;
      const r = responses.get(turn.responseId);
      const e = r && entries.get(r.itemId);
      if (e) e.meta.textContent = 'first audio ' + Math.round(turn.latencyMs) + ' ms after you stopped';
    }
    showLatency();
  }

  function listenForOnset(source) {
    const onset = new AudioWorkletNode(context, 'voicebridge-onset', { numberOfOutputs: 1, outputChannelCount: [1] });
    onset.port.onmessage = (message) => onReplyPeak(message.data);
    const silent = context.createGain();
    silent.gain.value = 0;
    source.connect(onset).connect(silent).connect(context.destination);
  }

  function directPlayed(now) {
    if (directPlayingSince) {
      demo.audio.msPlayed += now - directPlayingSince;
      directPlayingSince = 0;
      ui.played.textContent = (demo.audio.msPlayed / 1000).toFixed(1) + ' s';
    }
  }

  // ---- audio -------------------------------------------------------------------------------------------------

  function base64FromPcm(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function floatFromBase64(b64) {
    const binary = atob(b64);
    const samples = new Float32Array(binary.length >> 1);
    for (let i = 0; i < samples.length; i++) {
      let v = binary.charCodeAt(2 * i) | (binary.charCodeAt(2 * i + 1) << 8);
      if (v >= 0x8000) v -= 0x10000;
      samples[i] = v / 0x8000;
    }
    return samples;
  }

  async function startAudio() {
    try {
      context = new AudioContext({ sampleRate: RATE, latencyHint: 'interactive' });
    } catch {
      // Browsers that refuse 24 kHz get their own rate; the worklets resample.
      context = new AudioContext({ latencyHint: 'interactive' });
    }
    await context.audioWorklet.addModule('capture-worklet.js');
    await context.audioWorklet.addModule('player-worklet.js');
    await context.audioWorklet.addModule('onset-worklet.js');
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const source = context.createMediaStreamSource(stream);
    const capture = new AudioWorkletNode(context, 'voicebridge-capture', { numberOfOutputs: 1, outputChannelCount: [1] });
    capture.port.onmessage = (event) => {
      ui.level.value = event.data.peak;
      if (demo.state === 'live') {
        send({ type: 'input_audio_buffer.append', audio: base64FromPcm(event.data.pcm) });
        demo.audio.chunksSent++;
      }
    };
    // A muted path to the destination keeps the capture node pulled by the rendering graph.
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(capture).connect(mute).connect(context.destination);

    player = new AudioWorkletNode(context, 'voicebridge-player', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
    player.port.onmessage = (event) => onPlayer(event.data);
    player.connect(context.destination);
    listenForOnset(player);
    await context.resume();
    demo.contextRate = context.sampleRate;
  }

  function onPlayer(message) {
    if (message.played) {
      let total = 0;
      for (const [responseId, ms] of Object.entries(message.played)) {
        const r = responses.get(responseId);
        if (r) r.playedMs = ms;
        total += ms;
      }
      demo.audio.msPlayed = total;
      ui.played.textContent = (total / 1000).toFixed(1) + ' s';
    }
    if (message.type === 'started') {
      const turn = demo.turns.find((t) => t.responseId === message.tag && t.firstAudioAt === undefined);
      if (turn) {
        turn.firstAudioAt = performance.now();
        turn.latencyMs = turn.firstAudioAt - turn.speechStoppedAt;
        const r = responses.get(message.tag);
        const e = r && entries.get(r.itemId);
        if (e) e.meta.textContent = 'first audio ' + Math.round(turn.latencyMs) + ' ms after you stopped';
        showLatency();
      }
    }
  }

  // Barge-in over WebSocket: the client owns playback
  // (docs/protocols/openai-realtime.md#barge-in-when-the-client-owns-playback). Stop what is playing, ignore the rest
  // of that response, and truncate the assistant item at what was actually heard.
  function bargeIn() {
    for (const [responseId, r] of responses) {
      if (r.done && r.playedMs >= r.receivedMs - 1) continue;
      if (r.cancelled) continue;
      r.cancelled = true;
      demo.audio.bargeIns++;
      player.port.postMessage({ type: 'clear' });
      const e = entries.get(r.itemId);
      if (e) e.li.classList.add('interrupted');
      if (r.itemId && r.playedMs > 0) {
        send({ type: 'conversation.item.truncate', item_id: r.itemId, content_index: 0, audio_end_ms: Math.floor(r.playedMs) });
      }
      responses.set(responseId, r);
    }
  }

  // ---- server events -----------------------------------------------------------------------------------------

  function onEvent(event) {
    demo.events[event.type] = (demo.events[event.type] || 0) + 1;
    switch (event.type) {
      case 'session.created':
        setState('live');
        // Ask for input transcription so both sides show text; the bridge lets clients change it by default.
        send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: TRANSCRIPTION_MODEL } } } } });
        break;
      case 'input_audio_buffer.speech_started':
        // Direct: the upstream owns playback and stops it itself (output_audio_buffer.cleared).
        if (demo.transport === 'relayed') bargeIn();
        setText(event.item_id, 'user', '');
        break;
      case 'input_audio_buffer.speech_stopped':
        pendingTurn = { transport: demo.transport, userItemId: event.item_id, speechStoppedAt: performance.now() };
        demo.turns.push(pendingTurn);
        showLatency();
        break;
      case 'conversation.item.input_audio_transcription.delta': {
        const e = entry(event.item_id, 'user');
        setText(event.item_id, 'user', e.value + event.delta);
        break;
      }
      case 'conversation.item.input_audio_transcription.completed':
        setText(event.item_id, 'user', event.transcript);
        break;
      case 'response.created':
        responses.set(event.response.id, { itemId: null, receivedMs: 0, playedMs: 0, cancelled: false, done: false });
        if (pendingTurn && !pendingTurn.responseId) {
          pendingTurn.responseId = event.response.id;
          pendingTurn = null;
        }
        break;
      case 'response.output_item.added': {
        const r = responses.get(event.response_id);
        if (r && event.item.type === 'message') {
          r.itemId = event.item.id;
          setText(event.item.id, 'assistant', '');
        }
        break;
      }
      case 'response.output_audio.delta': {
        const r = responses.get(event.response_id);
        if (!r || r.cancelled) break; // late audio of an interrupted reply
        const turn = demo.turns.find((t) => t.responseId === event.response_id);
        if (turn && turn.firstDeltaMs === undefined) {
          // The split of the latency: the network and server part, the rest is the jitter buffer and rendering.
          turn.firstDeltaMs = performance.now() - turn.speechStoppedAt;
        }
        const samples = floatFromBase64(event.delta);
        r.receivedMs += (samples.length / RATE) * 1000;
        demo.audio.deltasReceived++;
        demo.audio.msReceived += (samples.length / RATE) * 1000;
        if (player) player.port.postMessage({ type: 'audio', samples, tag: event.response_id }, [samples.buffer]);
        break;
      }
      case 'response.output_audio.done':
        if (player) player.port.postMessage({ type: 'done', tag: event.response_id });
        break;
      case 'response.output_audio_transcript.delta': {
        const e = entry(event.item_id, 'assistant');
        setText(event.item_id, 'assistant', e.value + event.delta);
        break;
      }
      case 'response.output_audio_transcript.done':
        setText(event.item_id, 'assistant', event.transcript);
        break;
      case 'response.done': {
        const r = responses.get(event.response.id);
        if (r) r.done = true;
        if (player) player.port.postMessage({ type: 'done', tag: event.response.id });
        break;
      }
      case 'output_audio_buffer.started': {
        directPlayingSince = performance.now();
        // The upstream's word that it started playing (direct): the split of the latency, as firstDeltaMs is when relayed.
        const turn = demo.turns.find((t) => t.responseId === event.response_id && t.firstDeltaMs === undefined);
        if (turn) turn.firstDeltaMs = directPlayingSince - turn.speechStoppedAt;
        break;
      }
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        directPlayed(performance.now());
        if (event.type === 'output_audio_buffer.cleared') {
          const r = responses.get(event.response_id);
          const e = r && entries.get(r.itemId);
          if (e) e.li.classList.add('interrupted');
          demo.audio.bargeIns++;
        }
        break;
      case 'error':
        reportError((event.error.code || event.error.type) + ': ' + event.error.message);
        break;
      default:
        break;
    }
  }

  // ---- connect / hang up -------------------------------------------------------------------------------------

  function connect() {
    const chosen = document.querySelector('input[name="transport"]:checked');
    demo.transport = chosen ? chosen.value : 'relayed';
    for (const input of document.querySelectorAll('input[name="transport"]')) input.disabled = true;
    return demo.transport === 'direct' ? connectDirect() : connectRelayed();
  }

  // The in-process simulator has no WebRTC stack: when the server offers its model-side page, it runs here, hidden.
  async function ensureSimulatorPeer() {
    if (peerFrame) return;
    const probe = await fetch('simulator/peer.html').catch(() => null);
    if (!probe || !probe.ok) return;
    peerFrame = document.createElement('iframe');
    peerFrame.className = 'peer';
    peerFrame.src = 'simulator/peer.html';
    document.body.appendChild(peerFrame);
    const until = performance.now() + 5000;
    while (!(peerFrame.contentWindow.voiceBridgePeer && peerFrame.contentWindow.voiceBridgePeer.connected)) {
      if (performance.now() > until) throw new Error('the simulator\'s model-side page did not connect');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function connectDirect() {
    setState('connecting');
    try {
      await ensureSimulatorPeer();
      const minted = await fetch('demo/client_secret', { method: 'POST' });
      if (!minted.ok) throw new Error('token request failed: HTTP ' + minted.status);
      const token = (await minted.json()).value;

      context = new AudioContext({ latencyHint: 'interactive' });
      await context.audioWorklet.addModule('capture-worklet.js');
      await context.audioWorklet.addModule('onset-worklet.js');
      demo.contextRate = context.sampleRate;
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      // The level meter only: the microphone itself goes to the model on the peer connection.
      const meter = new AudioWorkletNode(context, 'voicebridge-capture', { numberOfOutputs: 1, outputChannelCount: [1] });
      meter.port.onmessage = (event) => { ui.level.value = event.data.peak; };
      const mute = context.createGain();
      mute.gain.value = 0;
      context.createMediaStreamSource(stream).connect(meter).connect(mute).connect(context.destination);

      pc = new RTCPeerConnection();
      for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
      pc.ontrack = (event) => {
        const remote = document.getElementById('remote');
        remote.srcObject = event.streams[0];
        listenForOnset(context.createMediaStreamSource(event.streams[0]));
      };
      pc.onconnectionstatechange = () => {
        if (pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed') && demo.state === 'live') setState('closed');
      };
      channel = pc.createDataChannel('oai-events');
      channel.onmessage = (message) => {
        try {
          onEvent(JSON.parse(message.data));
        } catch (e) {
          reportError('bad server event: ' + e.message);
        }
      };
      channel.onopen = () => {
        setState('live');
        // The same change the relayed mode makes; Browser:ClientMayChange allows it, the bridge sees it on the sideband.
        send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: TRANSCRIPTION_MODEL } } } } });
      };
      channel.onclose = () => {
        if (demo.state === 'live') setState('closed');
        stopAudio();
      };

      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') { resolve(); return; }
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
        setTimeout(resolve, 2000);
      });
      const answered = await fetch('v1/realtime/calls', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/sdp' },
        body: pc.localDescription.sdp,
      });
      if (answered.status !== 201) throw new Error('the bridge refused the call: HTTP ' + answered.status);
      demo.callId = (answered.headers.get('Location') || '').split('/').pop();
      await pc.setRemoteDescription({ type: 'answer', sdp: await answered.text() });
      await context.resume();
    } catch (e) {
      setState('error');
      reportError(e.message || String(e));
      stopAudio();
    }
  }

  async function connectRelayed() {
    setState('connecting');
    try {
      const minted = await fetch('demo/client_secret', { method: 'POST' });
      if (!minted.ok) {
        throw new Error('token request failed: HTTP ' + minted.status);
      }
      const token = (await minted.json()).value;
      const url = new URL('v1/realtime', location.href);
      url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
      // Browsers cannot set headers on a WebSocket: the token travels as a subprotocol, like OpenAI's own clients.
      ws = new WebSocket(url, ['realtime', 'openai-insecure-api-key.' + token]);
      ws.onmessage = (message) => {
        try {
          onEvent(JSON.parse(message.data));
        } catch (e) {
          reportError('bad server event: ' + e.message);
        }
      };
      ws.onclose = (close) => {
        if (demo.state !== 'idle') {
          setState('closed');
          if (close.code !== 1000) reportError('connection closed: ' + close.code + ' ' + close.reason);
        }
        stopAudio();
      };
      ws.onerror = () => reportError('WebSocket error');
      // The microphone opens once the socket is up, so the first words are not spoken into a closed line.
      await new Promise((resolve, reject) => {
        ws.addEventListener('open', resolve, { once: true });
        ws.addEventListener('close', () => reject(new Error('the bridge refused the connection')), { once: true });
      });
      await startAudio();
    } catch (e) {
      setState('error');
      reportError(e.message || String(e));
      stopAudio();
    }
  }

  function stopAudio() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (context) context.close();
    if (pc) pc.close();
    stream = null;
    context = null;
    pc = null;
    channel = null;
    player = null;
    directPlayed(performance.now());
    for (const input of document.querySelectorAll('input[name="transport"]')) input.disabled = false;
  }

  function hangUp() {
    setState('idle');
    if (ws) ws.close(1000, 'hang up');
    ws = null;
    stopAudio();
  }

  ui.connect.addEventListener('click', connect);
  ui.disconnect.addEventListener('click', hangUp);
})();
