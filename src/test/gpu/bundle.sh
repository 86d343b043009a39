#!/usr/bin/env bash
# Packs what check.sh needs on a GPU machine that has no Java into target/gpu-bundle (at most 64 MiB
# travel with the tree): a jlinked JDK 25 runtime, the packaged app, the CUDA backend's test classes
# with the JUnit console launcher, stories260K with its golden outputs, the Azure conversation trace and
# the quality text from ../shared (copied into target/ only, never into the repository). Run after `./mvnw package`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
BUNDLE=target/gpu-bundle
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.sql,java.transaction.xa,java.xml,jdk.crypto.ec,jdk.incubator.vector,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs

[ -f target/quarkus-app/quarkus-run.jar ] || { echo "error: target/quarkus-app is missing: run ./mvnw package first" >&2; exit 1; }
[ -f target/classes/cuda/morphserve.ptx ] || { echo "error: the jar has no CUDA kernels: build with nvcc on the PATH" >&2; exit 1; }
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/lib" "$BUNDLE/run" "$BUNDLE/shared/models/stories260K" "$BUNDLE/shared/traces" "$BUNDLE/shared/data" \
  "$BUNDLE/test-classes/dev/morphserve"

"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --output "$BUNDLE/jre"
tar -C "$BUNDLE" -cJf "$BUNDLE/jre.tar.xz" jre && rm -rf "$BUNDLE/jre"
tar -C target -cJf "$BUNDLE/app.tar.xz" quarkus-app

cp -r target/test-classes/dev/morphserve/testing "$BUNDLE/test-classes/dev/morphserve/"
mkdir -p "$BUNDLE/test-classes/dev/morphserve/backend"
cp -r target/test-classes/dev/morphserve/backend/cuda "$BUNDLE/test-classes/dev/morphserve/backend/"
for artifact in org.junit.platform:junit-platform-console-standalone:6.1.1 org.assertj:assertj-core:3.27.7; do
  ./mvnw -q dependency:copy -Dartifact="$artifact" -DoutputDirectory="$BUNDLE/lib" -Dexec.skip=true
done
cp ../shared/models/stories260K/stories260K.gguf ../shared/models/stories260K/golden.json "$BUNDLE/shared/models/stories260K/"
cp ../shared/traces/AzureLLMInferenceTrace_conv.csv "$BUNDLE/shared/traces/" # morph-compare.sh's load
head -c 200000 ../shared/data/tinystories_validation_head.txt > "$BUNDLE/shared/data/tinystories_validation_head.txt" # its quality text (the part it scores)
du -sh "$BUNDLE"
