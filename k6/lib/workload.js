// What the k6 scripts send and how they judge a stream, with no k6 import: node runs this module
// too, so that a Java test can post the very bodies the scripts build (no k6 binary exists in CI).

// Relative to the entry scripts in k6/: the team's data sits beside the checkout.
const DEFAULT_TRACE = "../../shared/traces/AzureLLMInferenceTrace_conv.csv";

const PATHS = { completions: "/v1/completions", chat: "/v1/chat/completions" };

// Each is one token in Llama and GPT tokenizers, and even in stories260K's 512-piece vocabulary,
// so a prompt of n words is about n tokens whatever model serves it.
const WORDS = [
  "the", "and", "was", "he", "she", "it", "to", "in", "with", "said", "play", "day", "big",
  "little", "happy", "friend", "time", "mom", "they", "you", "had", "saw", "very", "there",
  "so", "for", "but", "want", "named", "Lily", "Tim", "upon", "that", "on", "his", "her", "up",
  "of", "do", "we", "be",
];

/** The scripts' settings from k6's __ENV (or any map of strings); a bad value names its variable. */
export function settings(env) {
  const rate = number(env, "RATE", 2);
  return {
    baseUrl: (env.BASE_URL || "http://localhost:8080").replace(/\/+$/, ""),
    model: env.MODEL || "",
    api: oneOf(env, "API", Object.keys(PATHS)),
    trace: env.TRACE || DEFAULT_TRACE,
    context: number(env, "CONTEXT", 512),
    headroom: number(env, "HEADROOM", 32),
    scale: env.SCALE && env.SCALE !== "auto" ? number(env, "SCALE", 1) : "auto",
    ignoreEos: env.IGNORE_EOS !== "0",
    timeout: env.TIMEOUT || "120s",
    rate,
    duration: env.DURATION || "",
    burstRate: number(env, "BURST_RATE", rate * 5),
    spikes: number(env, "SPIKES", 3),
    spike: env.SPIKE || "20s",
    calm: env.CALM || "40s",
    vus: number(env, "VUS", 20),
    maxVus: number(env, "MAX_VUS", 200),
    ttftP95: number(env, "TTFT_P95_MS", 2000),
    maxErrorRate: number(env, "MAX_ERROR_RATE", 0.01),
  };
}

function number(env, name, fallback) {
  if (env[name] === undefined || env[name] === "") return fallback;
  const value = Number(env[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got '${env[name]}'`);
  return value;
}

function oneOf(env, name, choices) {
  const value = env[name] || choices[0];
  if (!choices.includes(value)) throw new Error(`${name} must be one of ${choices.join(", ")}, got '${value}'`);
  return value;
}

/**
 * {prompt, output} token lengths per trace row: an Azure CSV (ContextTokens, GeneratedTokens,
 * found by name) or a Mooncake JSONL (input_length, output_length). Arrival times are not used:
 * the k6 executors set the rate.
 */
export function parseTrace(text) {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length > 0 && lines[0].trim().startsWith("{")) {
    return lines.map((line, i) => {
      const row = JSON.parse(line);
      return lengths(row.input_length, row.output_length, i + 1);
    });
  }
  const names = (lines[0] || "").split(",").map((name) => name.trim().toLowerCase());
  const prompt = names.indexOf("contexttokens");
  const output = names.indexOf("generatedtokens");
  if (prompt < 0 || output < 0) throw new Error(`trace: expected ContextTokens and GeneratedTokens columns, got '${lines[0]}'`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    return lengths(Number(cells[prompt]), Number(cells[output]), i + 2);
  });
}

function lengths(prompt, output, line) {
  if (!Number.isInteger(prompt) || !Number.isInteger(output) || prompt < 0 || output < 0) {
    throw new Error(`trace line ${line}: token lengths must be non-negative integers, got ${prompt} and ${output}`);
  }
  return { prompt, output };
}

/**
 * Fits trace lengths into the served model's context (as `morphserve bench serve --length-mapping scale`
 * does): traces come from 8K-200K-context models, so SCALE=auto multiplies every length by one
 * factor that makes the p99 of prompt + output fit, keeping the shape of the distribution, and
 * clips the rest. HEADROOM tokens stay free for BOS, the chat template and tokenizer differences.
 * Returns the factor and [prompt, output] pairs (plain arrays: k6's SharedArray stores them).
 */
export function mapLengths(rows, cfg) {
  const budget = cfg.context - cfg.headroom;
  if (budget < 2) throw new Error(`CONTEXT - HEADROOM must leave at least 2 tokens, got ${budget}`);
  const factor = cfg.scale === "auto" ? autoScale(rows, budget) : cfg.scale;
  return {
    factor,
    rows: rows.map((r) => fit(Math.max(1, Math.floor(r.prompt * factor)), Math.max(1, Math.floor(r.output * factor)), budget)),
  };
}

function autoScale(rows, budget) {
  if (rows.length === 0) return 1;
  const totals = rows.map((r) => r.prompt + r.output).sort((a, b) => a - b);
  const p99 = totals[Math.ceil(totals.length * 0.99) - 1];
  return p99 <= budget ? 1 : budget / p99;
}

// A request that still does not fit: the shorter side keeps up to half the budget.
function fit(prompt, output, budget) {
  if (prompt + output <= budget) return [prompt, output];
  const half = Math.floor(budget / 2);
  if (prompt <= output) {
    const kept = Math.min(prompt, half);
    return [kept, budget - kept];
  }
  const kept = Math.min(output, half);
  return [budget - kept, kept];
}

/**
 * About `tokens` tokens of story-like text. Words depend on the seed so that requests differ (a
 * server's prefix cache must not flatter the numbers) yet a run can be repeated.
 */
export function promptText(tokens, seed) {
  const next = mulberry32(seed);
  const words = [];
  for (let i = 0; i < tokens; i++) words.push(WORDS[Math.floor(next() * WORDS.length)]);
  return words.join(" ");
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The request for the test's iteration-th arrival: trace rows in order, cycling, each prompt new.
 * Streams with a usage chunk so that the scripts can count generated tokens; ignore_eos (vLLM and
 * MorphServe accept it) makes the server generate the trace's output length.
 */
export function requestFor(rows, iteration, cfg) {
  const [promptTokens, outputTokens] = rows[iteration % rows.length];
  const text = promptText(promptTokens, iteration);
  const body = cfg.api === "chat" ? { messages: [{ role: "user", content: text }] } : { prompt: text };
  if (cfg.model) body.model = cfg.model;
  body.max_tokens = outputTokens;
  body.stream = true;
  body.stream_options = { include_usage: true };
  if (cfg.ignoreEos) body.ignore_eos = true;
  return { path: PATHS[cfg.api], body: JSON.stringify(body) };
}

/**
 * One SSE data payload: done at [DONE]; the first choice's new text (completion text or chat
 * delta content); the usage chunk's completion tokens; the message of an error event, which a
 * server sends in place of chunks once the 200 status has gone out. Throws on a payload that is
 * not JSON.
 */
export function readChunk(data) {
  if (data === "[DONE]") return { done: true, text: "", completionTokens: 0, error: null };
  const chunk = JSON.parse(data);
  const choice = (chunk.choices || [])[0] || {};
  return {
    done: false,
    text: choice.text || (choice.delta && choice.delta.content) || "",
    completionTokens: chunk.usage ? chunk.usage.completion_tokens : 0,
    error: chunk.error ? chunk.error.message || "error event" : null,
  };
}

/** A whole streamed body, as plain k6 receives it: whether it ended with [DONE], content, tokens, the first error. */
export function readStream(body) {
  const stream = { done: false, content: false, completionTokens: 0, error: null };
  for (const line of body.split("\n")) {
    if (!line.startsWith("data:")) continue;
    let chunk;
    try {
      chunk = readChunk(line.slice("data:".length).trim());
    } catch (e) {
      return { ...stream, error: `not JSON: ${line}` };
    }
    if (chunk.done) return { ...stream, done: true };
    stream.content = stream.content || chunk.text !== "";
    stream.completionTokens += chunk.completionTokens;
    stream.error = stream.error || chunk.error;
  }
  return stream;
}

/**
 * k6 options for one scenario. Rates are requests per second, turned into whole requests per
 * minute because k6 arrival rates are integers per time unit and a small model's server may want
 * less than one per second.
 */
export function scenarioOptions(name, cfg) {
  const arrivals = { timeUnit: "1m", preAllocatedVUs: cfg.vus, maxVUs: Math.max(cfg.vus, cfg.maxVus) };
  const perMinute = (rate) => Math.max(1, Math.round(rate * 60));
  const scenarios = {
    steady: { executor: "constant-arrival-rate", rate: perMinute(cfg.rate), duration: cfg.duration || "2m", ...arrivals },
    // Calm, ramp up in 5 s, hold the spike, ramp down, repeated; a last calm shows the recovery.
    burst: {
      executor: "ramping-arrival-rate",
      startRate: perMinute(cfg.rate),
      stages: [
        ...Array.from({ length: cfg.spikes }, () => [
          { target: perMinute(cfg.rate), duration: cfg.calm },
          { target: perMinute(cfg.burstRate), duration: "5s" },
          { target: perMinute(cfg.burstRate), duration: cfg.spike },
          { target: perMinute(cfg.rate), duration: "5s" },
        ]).flat(),
        { target: perMinute(cfg.rate), duration: cfg.calm },
      ],
      ...arrivals,
    },
    soak: { executor: "constant-arrival-rate", rate: perMinute(cfg.rate), duration: cfg.duration || "1h", ...arrivals },
  };
  if (!scenarios[name]) throw new Error(`unknown scenario '${name}': ${Object.keys(scenarios).join(", ")}`);
  return {
    scenarios: { [name]: { ...scenarios[name], tags: { api: cfg.api } } },
    thresholds: {
      stream_errors: [`rate<${cfg.maxErrorRate}`],
      ttft: [`p(95)<${cfg.ttftP95}`],
    },
    summaryTrendStats: ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"],
  };
}
