// Bursts: SPIKES times, a calm at RATE then a spike to BURST_RATE requests/s (ramping-arrival-rate).
// Plain k6, TTFT as time to first byte; sse.js measures it at the first token (xk6-sse).
import { prepare } from "./lib/run.js";
import { streamOverHttp } from "./lib/http.js";

const run = prepare("burst", (path) => open(path));

export const options = run.options;

export default function () {
  streamOverHttp(run.next());
}
