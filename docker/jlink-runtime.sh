#!/usr/bin/env bash
# Builds the small Java runtime the images ship: only the JDK modules MorphServe-J uses, made with
# the jlink of $JAVA_HOME (JDK 25). RuntimeImageIT starts the packaged server on this runtime, so
# a module missing here fails the tests, not a container at start-up.
#
# usage: docker/jlink-runtime.sh OUTDIR
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
jlink_bin="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
if ! command -v "$jlink_bin" >/dev/null 2>&1; then
    echo "error: jlink not found: set JAVA_HOME to a JDK 25" >&2
    exit 1
fi

# Why each beyond java.base: logging, management and jdk.management (JBoss logging, Micrometer's
# JVM meters); naming and net.http (Vert.x, the model downloader); sql and xml (types that Quarkus
# and Jackson link against); desktop (java.beans, used by Jackson and picocli); jdk.unsupported
# (Netty's sun.misc.Unsafe); jdk.zipfs (Quarkus reads its jars through zip file systems);
# jdk.incubator.vector (the CPU kernels). java.desktop also carries the AWT that bench's plots
# draw with (XChart); without it the runtime is 15 MB smaller but only `serve` works.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,jdk.management,jdk.unsupported,jdk.zipfs,jdk.incubator.vector

rm -rf "$1"
"$jlink_bin" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$1"
echo "Java runtime with $modules in $1 ($(du -sh "$1" | cut -f1))"
