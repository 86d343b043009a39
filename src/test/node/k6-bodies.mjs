// Prints, as one JSON document, what the k6 scripts would send: for each trace given and each API,
// the first requests of a run, built by k6/lib/workload.js exactly as the scripts build them, and
// the options of every scenario. K6RequestBodiesTest posts the bodies to the server.
// Usage: node k6-bodies.mjs [NAME=VALUE ...] TRACE...   (NAME=VALUE: the scripts' environment)
import { readFileSync } from "node:fs";
import { mapLengths, parseTrace, requestFor, scenarioOptions, settings } from "../../../k6/lib/workload.js";

const REQUESTS_PER_TRACE = 3;
const env = {};
const traces = [];
for (const arg of process.argv.slice(2)) {
  const assignment = /^([A-Z_]+)=(.*)$/.exec(arg);
  if (assignment) env[assignment[1]] = assignment[2];
  else traces.push(arg);
}

const requests = [];
for (const trace of traces) {
  for (const api of ["completions", "chat"]) {
    const cfg = settings({ ...env, API: api, TRACE: trace });
    const { rows } = mapLengths(parseTrace(readFileSync(trace, "utf8")), cfg);
    for (let iteration = 0; iteration < REQUESTS_PER_TRACE; iteration++) {
      requests.push({ trace, api, ...requestFor(rows, iteration, cfg) });
    }
  }
}
const cfg = settings(env);
const scenarios = Object.fromEntries(["steady", "burst", "soak"].map((name) => [name, scenarioOptions(name, cfg)]));
console.log(JSON.stringify({ requests, scenarios }, null, 1));
