// Direct (WebRTC) mode of the VoiceBridge demo: the reply arrives as a WebRTC track, not as events the page plays
// itself, so its first audible sample is found here: the peak of every 128-sample render block of the remote track
// goes to the page, which takes the first block above a threshold after speech_stopped as the reply's first audio.
class OnsetProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      let peak = 0;
      for (let i = 0; i < channel.length; i++) {
        const v = Math.abs(channel[i]);
        if (v > peak) peak = v;
      }
      this.port.postMessage(peak);
    }
    return true;
  }
}

registerProcessor('voicebridge-onset', OnsetProcessor);
