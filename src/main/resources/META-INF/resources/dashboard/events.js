import { keys, openStream } from './access.js';

/**
 * Reads /v1/morph/events (server-sent events) through fetch, so that the API key travels in a
 * header, and hands each event's JSON to onEvent. Reconnects after a drop; a refusal (401/403)
 * is reported and retried more slowly, since only a new key can change it.
 */
export function followEvents(onEvent, onStatus) {
  let controller = null;
  let stopped = false;

  async function run() {
    while (!stopped) {
      controller = new AbortController();
      let retryMs = 2000;
      try {
        const response = await openStream('/v1/morph/events', keys.api(), controller.signal);
        onStatus('live');
        await readFrames(response.body, onEvent);
        onStatus('stream ended, reconnecting');
      } catch (e) {
        if (stopped || e.name === 'AbortError') return;
        const refused = e.status === 401 || e.status === 403;
        retryMs = refused ? 10000 : 2000;
        onStatus(e.status ? `${e.status}: ${e.message}` : 'disconnected, reconnecting');
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

async function readFrames(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (data) onEvent(JSON.parse(data));
    }
  }
}
