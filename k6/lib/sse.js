// With the xk6-sse extension events arrive as the server sends them, so TTFT is measured at the
// first chunk whose text or delta content is non-empty (a chat stream's role chunk does not count).
import sse from "k6/x/sse";
import { config, record } from "./run.js";
import { readChunk } from "./workload.js";

export function streamOverSse(request) {
  const start = Date.now();
  const stream = { done: false, content: false, completionTokens: 0, error: null };
  let firstTokenMs = null;
  const res = sse.open(config.baseUrl + request.path, {
    method: "POST",
    body: request.body,
    headers: { "Content-Type": "application/json" },
  }, (client) => {
    client.on("event", (event) => {
      if (event.data === "") return;
      let chunk;
      try {
        chunk = readChunk(event.data);
      } catch (e) {
        stream.error = `not JSON: ${event.data}`;
        client.close();
        return;
      }
      if (!stream.content && chunk.text !== "") {
        stream.content = true;
        firstTokenMs = Date.now() - start;
      }
      stream.done = stream.done || chunk.done;
      stream.completionTokens += chunk.completionTokens;
      stream.error = stream.error || chunk.error;
    });
    // The extension stops reading after an error (such as an error status's JSON body, which is
    // no SSE line) but waits for the stream to close: close it, or the iteration hangs.
    client.on("error", (e) => {
      stream.error = stream.error || String(e.error());
      client.close();
    });
  });
  record(res.status, stream, firstTokenMs);
}
