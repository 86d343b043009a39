# Sourced by the GPU scripts: unpacks the bundle (src/test/gpu/bundle.sh) into a scratch directory and
# sets JAVA (the jlinked runtime with the app's flags), APP, BUNDLE, WORK, and log() into $OUT/steps.txt.
# Expects OUT and ROOT set by the caller.
BUNDLE=$ROOT/target/gpu-bundle
mkdir -p "$OUT"
WORK=$(mktemp -d)
start=$(date +%s)
log() { echo "[$(( $(date +%s) - start )) s] $*" | tee -a "$OUT/steps.txt"; }

log "facts"
{ date -u; nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory --format=csv; nproc; } \
  > "$OUT/facts.txt" 2>&1

log "unpacking the runtime and the app"
tar -C "$WORK" -xJf "$BUNDLE/jre.tar.xz" && tar -C "$WORK" -xJf "$BUNDLE/app.tar.xz" || { log "bundle missing: run bundle.sh"; exit 1; }
APP=$WORK/quarkus-app
JAVA=("$WORK/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx24g)
export MORPHSERVE_CACHE=$WORK/cache # synth:SHAPE:TYPE models are written once into $MORPHSERVE_CACHE/synth
