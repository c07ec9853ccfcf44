// Microphone capture for the VoiceBridge demo: turns the context's float samples into 24 kHz mono PCM16 chunks of
// 40 ms (25 appends per second; the bridge caps appends per second, OpenAI suggests 20-100 ms chunks).
// The AudioContext is created at 24 kHz where the browser allows it; otherwise this resamples linearly.
const TARGET_RATE = 24000;
const CHUNK_SAMPLES = 960; // 40 ms at 24 kHz

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.position = 0; // fractional read position into the current input block
    this.previous = 0; // last input sample of the previous block, for interpolation across blocks
    this.chunk = new Int16Array(CHUNK_SAMPLES);
    this.filled = 0;
    this.peak = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) {
      return true;
    }
    if (this.step === 1) {
      for (let i = 0; i < channel.length; i++) {
        this.push(channel[i]);
      }
      return true;
    }
    // Linear interpolation between sample (i-1) and i; position -1..0 reaches back into the previous block.
    let p = this.position;
    while (p < channel.length - 1) {
      const i = Math.floor(p);
      const frac = p - i;
      const a = i < 0 ? this.previous : channel[i];
      const b = channel[i + 1];
      this.push(a + (b - a) * frac);
      p += this.step;
    }
    this.position = p - channel.length;
    this.previous = channel[channel.length - 1];
    return true;
  }

  push(value) {
    const clamped = Math.max(-1, Math.min(1, value));
    this.peak = Math.max(this.peak, Math.abs(clamped));
    this.chunk[this.filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    if (this.filled === CHUNK_SAMPLES) {
      // Transfer a copy: the buffer changes hands, this processor keeps its own.
      const out = this.chunk.slice(0);
      this.port.postMessage({ pcm: out.buffer, peak: this.peak }, [out.buffer]);
      this.filled = 0;
      this.peak = 0;
    }
  }
}

registerProcessor('voicebridge-capture', CaptureProcessor);
