// The k6 side both transports share: settings, the trace in a SharedArray, the metrics the
// thresholds name, and what one finished stream adds to them.
import { check } from "k6";
import { SharedArray } from "k6/data";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "k6/metrics";
import { mapLengths, parseTrace, requestFor, scenarioOptions, settings } from "./workload.js";

export const config = settings(__ENV);

const ttft = new Trend("ttft", true);
const streamErrors = new Rate("stream_errors");
const completionTokens = new Counter("completion_tokens");

/**
 * The options of scenario `name` and a source of requests. `readTrace` is the entry script's
 * own `(path) => open(path)`: k6 resolves a relative path against the script that calls open(),
 * so TRACE is relative to k6/ whichever entry script runs.
 */
export function prepare(name, readTrace) {
  // Parsed once; every VU then reads the same mapped lengths instead of a copy of the trace.
  const rows = new SharedArray("trace lengths", () => mapLengths(parseTrace(readTrace(config.trace)), config).rows);
  return {
    options: scenarioOptions(name, config),
    next: () => requestFor(rows, exec.scenario.iterationInTest, config),
  };
}

/**
 * Records one request: a failure unless the status was 200 and the stream carried content and
 * ended with [DONE] without an error event; TTFT (ms) and generated tokens only for successes.
 */
export function record(status, stream, firstTokenMs) {
  const ok = check(stream, {
    "status is 200": () => status === 200,
    "stream has content": (s) => s.content,
    "stream ends with [DONE]": (s) => s.done,
    "no error event": (s) => s.error === null,
  });
  streamErrors.add(!ok);
  if (ok) {
    ttft.add(firstTokenMs);
    completionTokens.add(stream.completionTokens);
  }
}
