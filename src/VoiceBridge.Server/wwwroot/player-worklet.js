// Reply playback for the VoiceBridge demo: a queue of 24 kHz chunks played with a small jitter buffer.
// Playback starts once PREBUFFER_MS are queued (or the reply is complete), so a chunk arriving a little late does
// not become an audible gap; an underrun waits for the buffer to refill. 'clear' drops everything (barge-in).
const SOURCE_RATE = 24000;
const PREBUFFER_MS = 80;
const PROGRESS_EVERY_MS = 100;

class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = SOURCE_RATE / sampleRate; // source samples per output sample
    this.queue = []; // {samples: Float32Array at the context rate, offset, tag}
    this.queued = 0; // output samples queued
    this.playing = false;
    this.complete = new Set(); // tags whose last chunk has arrived: play them out without waiting to prebuffer
    this.startedTags = new Set();
    this.played = new Map(); // tag -> output samples played
    this.sinceProgress = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (message.type === 'audio') {
      const samples = this.ratio === 1 ? message.samples : this.resample(message.samples);
      this.queue.push({ samples, offset: 0, tag: message.tag });
      this.queued += samples.length;
    } else if (message.type === 'done') {
      this.complete.add(message.tag);
    } else if (message.type === 'clear') {
      const dropped = this.queued;
      this.queue = [];
      this.queued = 0;
      this.playing = false;
      this.port.postMessage({ type: 'cleared', droppedMs: (dropped / sampleRate) * 1000, played: this.playedMs() });
    }
  }

  resample(input) {
    const length = Math.floor(input.length / this.ratio);
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const p = i * this.ratio;
      const j = Math.floor(p);
      const b = j + 1 < input.length ? input[j + 1] : input[j];
      out[i] = input[j] + (b - input[j]) * (p - j);
    }
    return out;
  }

  playedMs() {
    const result = {};
    for (const [tag, samples] of this.played) {
      result[tag] = (samples / sampleRate) * 1000;
    }
    return result;
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.queue.length > 0) {
      const head = this.queue[0].tag;
      this.playing = this.queued >= (PREBUFFER_MS / 1000) * sampleRate || this.complete.has(head);
    }
    let written = 0;
    while (this.playing && written < out.length && this.queue.length > 0) {
      const chunk = this.queue[0];
      if (!this.startedTags.has(chunk.tag)) {
        this.startedTags.add(chunk.tag);
        this.port.postMessage({ type: 'started', tag: chunk.tag, contextTime: currentTime + written / sampleRate });
      }
      const n = Math.min(out.length - written, chunk.samples.length - chunk.offset);
      out.set(chunk.samples.subarray(chunk.offset, chunk.offset + n), written);
      chunk.offset += n;
      written += n;
      this.queued -= n;
      this.played.set(chunk.tag, (this.played.get(chunk.tag) || 0) + n);
      if (chunk.offset === chunk.samples.length) {
        this.queue.shift();
      }
    }
    if (written < out.length) {
      out.fill(0, written);
      if (this.playing && this.queue.length === 0) {
        // Ran dry: wait for the buffer to refill before playing on (unless the reply is complete).
        this.playing = false;
        this.port.postMessage({ type: 'idle', played: this.playedMs() });
      }
    }
    this.sinceProgress += out.length;
    if (this.sinceProgress >= (PROGRESS_EVERY_MS / 1000) * sampleRate) {
      this.sinceProgress = 0;
      this.port.postMessage({ type: 'progress', played: this.playedMs(), bufferedMs: (this.queued / sampleRate) * 1000 });
    }
    return true;
  }
}

registerProcessor('voicebridge-player', PlayerProcessor);
