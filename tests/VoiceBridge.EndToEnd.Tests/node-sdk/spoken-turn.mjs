// One spoken turn through the bridge with the official `openai` npm package, configured by base URL only:
// the bridge key mints a client secret (client.realtime.clientSecrets.create, as an app backend would), and the
// realtime WebSocket client (OpenAIRealtimeWS, built on the `ws` package: Node 20 has no global WebSocket) opens
// /v1/realtime with it. Prints one JSON line with what came back; exits non-zero on failure or timeout.
//
// Environment: BRIDGE_BASE_URL (https://127.0.0.1:<port>/v1 - the SDK always opens wss://, so the bridge serves TLS
// with a test certificate trusted through NODE_EXTRA_CA_CERTS), BRIDGE_API_KEY, SPEECH_PCM (raw 24 kHz PCM16 mono).
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';

const baseURL = process.env.BRIDGE_BASE_URL;
const speech = readFileSync(process.env.SPEECH_PCM);
const CHUNK_BYTES = 4800; // 100 ms at 24 kHz PCM16

const backend = new OpenAI({ apiKey: process.env.BRIDGE_API_KEY, baseURL });
const secret = await backend.realtime.clientSecrets.create({
  expires_after: { anchor: 'created_at', seconds: 60 },
  session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } },
});

const result = {
  node: process.version,
  secretPrefix: secret.value.slice(0, 3),
  url: null,
  events: {},
  audioBytes: 0,
  userTranscript: null,
  assistantTranscript: null,
  responseStatus: null,
  errors: [],
};

const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, new OpenAI({ apiKey: secret.value, baseURL }));
result.url = rt.url.origin + rt.url.pathname;

const finished = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('timed out waiting for response.done')), 20000);
  rt.on('error', (error) => result.errors.push(error.message));
  rt.on('event', (event) => {
    result.events[event.type] = (result.events[event.type] ?? 0) + 1;
  });
  rt.on('session.created', () => {
    for (let offset = 0; offset < speech.length; offset += CHUNK_BYTES) {
      rt.send({ type: 'input_audio_buffer.append', audio: speech.subarray(offset, offset + CHUNK_BYTES).toString('base64') });
    }
  });
  rt.on('response.output_audio.delta', (event) => {
    result.audioBytes += Buffer.from(event.delta, 'base64').length;
  });
  rt.on('conversation.item.input_audio_transcription.completed', (event) => {
    result.userTranscript = event.transcript;
  });
  rt.on('response.output_audio_transcript.done', (event) => {
    result.assistantTranscript = event.transcript;
  });
  rt.on('response.done', (event) => {
    result.responseStatus = event.response.status;
    clearTimeout(timer);
    resolve();
  });
  rt.socket.on('close', (code, reason) => {
    clearTimeout(timer);
    reject(new Error(`socket closed early: ${code} ${reason}`));
  });
});

let exitCode = 0;
try {
  await finished;
} catch (error) {
  result.errors.push(error.message);
  exitCode = 1;
}
rt.socket.removeAllListeners('close');
rt.close();
console.log(JSON.stringify(result));
process.exit(exitCode);
