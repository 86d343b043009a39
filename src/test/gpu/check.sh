#!/usr/bin/env bash
# One run on a machine with an NVIDIA GPU, at most 8 minutes: the machine's facts, the CUDA backend's
# golden and agreement tests on the real device, and the benchmarks of docs/benchmarks.md. Needs only
# what src/test/gpu/bundle.sh packed into target/gpu-bundle (no Java on that machine).
#   usage: src/test/gpu/check.sh OUTDIR
# Each step has its own time limit and writes its own file, so a slow step costs only itself.
set -uo pipefail
OUT=${1:?usage: check.sh OUTDIR}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
source "$ROOT/src/test/gpu/lib.sh"

log "golden and agreement tests on the device"
(cd "$BUNDLE/run" && timeout 240 "${JAVA[@]}" -Dmorphserve.test.cuda=device \
  -cp "$APP/app/*:$APP/lib/boot/*:$APP/lib/main/*:$BUNDLE/test-classes:$BUNDLE/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --select-class dev.morphserve.backend.cuda.CudaBackendTest --details=tree) \
  > "$OUT/cuda-tests.txt" 2>&1
log "tests exit status $?"

bench() { # bench NAME LIMIT ARGS...: one `bench` table into NAME.md, its log into NAME.log
  local name=$1 limit=$2; shift 2
  log "bench $name"
  timeout "$limit" "${JAVA[@]}" -jar "$APP/quarkus-run.jar" bench --backend cuda "$@" > "$OUT/$name.md" 2> "$OUT/$name.log"
  log "bench $name exit status $?"
}

serve_load() { # serve_load MODEL STREAMS: one stream, then STREAMS concurrent streams, through bench serve
  local port=8091
  log "serve $1"
  "${JAVA[@]}" -Dmorphserve.memory.default-kv-contexts=64 -jar "$APP/quarkus-run.jar" serve --backend cuda --model "$1" \
    --port $port > "$OUT/serve.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 180); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 1; done
  for streams in 1 "$2"; do
    log "bench serve, $streams concurrent streams"
    timeout 120 "${JAVA[@]}" -jar "$APP/quarkus-run.jar" bench serve --url http://127.0.0.1:$port --workload synthetic \
      --num-requests $((streams * 2)) --max-concurrency $streams --rate inf --prompt-tokens 128 --output-tokens 256 \
      --length-mapping clip --no-progress --output-json "$OUT/serve-$streams.json" > "$OUT/serve-$streams.md" 2> "$OUT/serve-$streams.log"
    log "bench serve exit status $?"
  done
  kill $server; wait $server 2>/dev/null
}

if [ "${CHECK_SMOKE:-0}" = 1 ]; then # a dry run of this script against a small model (no GPU needed with the stand-in)
  bench stories-smoke 120 --model "$BUNDLE/shared/models/stories260K/stories260K.gguf" -p 32 -n 16 -r 1
  serve_load "$BUNDLE/shared/models/stories260K/stories260K.gguf" 4
else
  bench tinyllama-F16 150 --model synth:tinyllama-1.1b:F16 -p 512 -n 128 -r 3
  bench tinyllama-Q8_0 120 --model synth:tinyllama-1.1b:Q8_0 -p 512 -n 128 -r 3
  bench tinyllama-Q4_0 120 --model synth:tinyllama-1.1b:Q4_0 -p 512 -n 128 -r 3
  serve_load "$WORK/cache/synth/tinyllama-1.1b-F16.gguf" 64
  bench llama-2-7b-F16 200 --model synth:llama-2-7b:F16 -p 512 -n 64 -r 2
fi
log "done"
rm -rf "$WORK"
