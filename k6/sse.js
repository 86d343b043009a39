// Any scenario (SCENARIO=steady|burst|soak, default steady) with TTFT measured at the first
// content chunk. Needs a k6 built with the xk6-sse extension: plain k6 cannot import k6/x/sse,
// which is why the scenario scripts use k6/http and this script exists beside them.
import { prepare } from "./lib/run.js";
import { streamOverSse } from "./lib/sse.js";

const run = prepare(__ENV.SCENARIO || "steady", (path) => open(path));

export const options = run.options;

export default function () {
  streamOverSse(run.next());
}
