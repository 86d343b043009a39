// Steady load: a constant arrival rate (RATE requests/s for DURATION, default 2m).
// Plain k6, TTFT as time to first byte; sse.js measures it at the first token (xk6-sse).
import { prepare } from "./lib/run.js";
import { streamOverHttp } from "./lib/http.js";

const run = prepare("steady", (path) => open(path));

export const options = run.options;

export default function () {
  streamOverHttp(run.next());
}
