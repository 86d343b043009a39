// Plain k6 receives the body whole, so TTFT is taken as time to first byte. MorphServe sends its
// status line with the first frame, which comes with the first token (for chat, the role chunk
// rides along with it); a server that sends headers earlier makes this a lower bound.
import http from "k6/http";
import { config, record } from "./run.js";
import { readStream } from "./workload.js";

export function streamOverHttp(request) {
  const res = http.post(config.baseUrl + request.path, request.body, {
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    timeout: config.timeout,
  });
  const stream = res.status === 200 ? readStream(res.body || "") : { done: false, content: false, error: `HTTP ${res.status}` };
  record(res.status, stream, res.timings.waiting);
}
