// A small client of SignalR's JSON hub protocol over a WebSocket (our own: no build step, no vendored library).
// The protocol, as the dashboard uses it: after the socket opens the client sends the handshake
// {"protocol":"json","version":1} and the server answers {} (or {"error": …}); every message is a JSON text followed by
// the record separator 0x1E, several may share a frame. Types: 1 invocation (target, arguments, and an invocationId when
// a result is wanted), 3 completion (invocationId, result or error), 6 ping, 7 close (error, allowReconnect).
// Both sides ping: the server closes a client it has not heard from for 30 s, so this one pings every 15 s and
// gives up on a server silent for 35 s (it pings every 15 s).

const RS = '\u001e';
const PING_MS = 15000;
const SILENCE_MS = 35000;

export class HubClient {
  #url;
  #socket = null;
  #buffer = '';
  #handlers = new Map();
  #pending = new Map();
  #nextId = 1;
  #handshake = null;
  #timer = 0;
  #lastHeard = 0;

  /** Called once when the connection ends: (error message or null). */
  onclose = null;

  constructor(url) {
    this.#url = url;
  }

  /** Handles server invocations of `target` (case-insensitive, as the server matches them). */
  on(target, handler) {
    this.#handlers.set(target.toLowerCase(), handler);
  }

  get connected() {
    return this.#socket !== null && this.#socket.readyState === WebSocket.OPEN && this.#handshake === null;
  }

  /** Opens the socket and completes the handshake; rejects when either fails. */
  start() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.#url);
      this.#socket = socket;
      this.#handshake = { resolve, reject };
      socket.onopen = () => socket.send(JSON.stringify({ protocol: 'json', version: 1 }) + RS);
      socket.onmessage = event => this.#receive(event.data);
      socket.onerror = () => {};
      socket.onclose = event => this.#closed(event.reason || (event.code === 1000 ? null : `socket closed (${event.code})`));
      this.#lastHeard = Date.now();
      this.#timer = setInterval(() => this.#keepAlive(), PING_MS);
    });
  }

  /** Calls a hub method and resolves with its result (rejects with the hub's error message). */
  invoke(target, ...args) {
    if (!this.connected) {
      return Promise.reject(new Error('not connected'));
    }
    const invocationId = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#pending.set(invocationId, { resolve, reject });
      this.#send({ type: 1, invocationId, target, arguments: args });
    });
  }

  stop() {
    this.#socket?.close(1000);
  }

  #send(message) {
    this.#socket.send(JSON.stringify(message) + RS);
  }

  #receive(data) {
    this.#lastHeard = Date.now();
    this.#buffer += data;
    let end;
    while ((end = this.#buffer.indexOf(RS)) >= 0) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      let message;
      try {
        message = JSON.parse(text);
      } catch {
        this.#socket.close(4002, 'malformed message');
        return;
      }
      if (this.#handshake !== null) {
        const handshake = this.#handshake;
        this.#handshake = null;
        if (message.error) {
          handshake.reject(new Error(message.error));
          this.#socket.close(1000);
        } else {
          handshake.resolve();
        }
        continue;
      }
      this.#dispatch(message);
    }
  }

  #dispatch(message) {
    switch (message.type) {
      case 1: {
        const handler = this.#handlers.get(String(message.target).toLowerCase());
        if (handler) {
          try {
            handler(...(message.arguments ?? []));
          } catch (error) {
            console.error(`handler for ${message.target} failed`, error);
          }
        }
        break;
      }
      case 3: {
        const pending = this.#pending.get(message.invocationId);
        if (pending) {
          this.#pending.delete(message.invocationId);
          if (message.error) {
            pending.reject(new Error(message.error));
          } else {
            pending.resolve(message.result);
          }
        }
        break;
      }
      case 6:
        break;
      case 7:
        this.#socket.close(1000, message.error ?? '');
        break;
      default:
        break;
    }
  }

  #keepAlive() {
    if (Date.now() - this.#lastHeard > SILENCE_MS) {
      this.#socket?.close(4000, 'server silent');
      return;
    }
    if (this.connected) {
      this.#send({ type: 6 });
    }
  }

  #closed(error) {
    clearInterval(this.#timer);
    this.#socket = null;
    const failure = new Error(error ?? 'connection closed');
    if (this.#handshake !== null) {
      this.#handshake.reject(failure);
      this.#handshake = null;
    }
    for (const pending of this.#pending.values()) {
      pending.reject(failure);
    }
    this.#pending.clear();
    this.onclose?.(error);
  }
}
