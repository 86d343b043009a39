#!/usr/bin/env bash
# Builds the CUDA kernels: every .cu file of this directory (sorted by name) #included into one
# translation unit, compiled to PTX for compute_80, then assembled by ptxas for sm_80, sm_89 and
# sm_90 with warnings as errors and register spills as warnings, so a spill fails the build.
#
# usage: build.sh OUTDIR
# writes OUTDIR/morphserve.ptx and OUTDIR/morphserve.sm_{80,89,90}.cubin, prints each kernel's
# registers / shared memory per architecture. Without nvcc it writes nothing and succeeds, so
# machines without the toolkit build the rest of the project.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
if ! command -v nvcc >/dev/null 2>&1; then
    echo "nvcc not found: building without the CUDA backend"
    exit 0
fi
if ! command -v ptxas >/dev/null 2>&1; then
    echo "error: nvcc found but ptxas is not on PATH" >&2
    exit 1
fi

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out_dir=$1
archs="sm_80 sm_89 sm_90"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
export LC_ALL=C
sources=("$src_dir"/*.cu)
if [ ${#sources[@]} -eq 0 ]; then
    echo "error: no .cu files in $src_dir" >&2
    exit 1
fi
for f in "${sources[@]}"; do
    printf '#include "%s"\n' "$f"
done >"$tmp/all.cu"

# nvcc can exit 0 without having written its output, so the file itself is the proof.
if ! nvcc -std=c++17 -arch=compute_80 -ptx -o "$tmp/morphserve.ptx" "$tmp/all.cu"; then
    echo "error: nvcc failed" >&2
    exit 1
fi
if [ ! -s "$tmp/morphserve.ptx" ]; then
    echo "error: nvcc wrote no PTX" >&2
    exit 1
fi

for arch in $archs; do
    log="$tmp/ptxas.$arch.log"
    if ! ptxas -arch="$arch" -Werror --warn-on-spills -v "$tmp/morphserve.ptx" \
            -o "$tmp/morphserve.$arch.cubin" >"$log" 2>&1; then
        cat "$log" >&2
        echo "error: ptxas failed for $arch" >&2
        exit 1
    fi
    if [ ! -s "$tmp/morphserve.$arch.cubin" ]; then
        cat "$log" >&2
        echo "error: ptxas wrote no cubin for $arch" >&2
        exit 1
    fi
    # Belt and braces: -v reports spills even where a ptxas version would not warn about them.
    if grep -Eq '[1-9][0-9]* bytes spill (stores|loads)' "$log"; then
        cat "$log" >&2
        echo "error: register spills for $arch" >&2
        exit 1
    fi
    # One line per kernel: registers, barriers, shared memory, stack.
    awk -v arch="$arch" '
        /Compiling entry function/ { match($0, /'"'"'[^'"'"']*'"'"'/); fn = substr($0, RSTART + 1, RLENGTH - 2); smem = 0 }
        /bytes stack frame/ { stack = $1 }
        /Used [0-9]+ registers/ {
            line = $0; sub(/.*Used /, "Used ", line)
            printf "%s %-22s %s; %s bytes stack\n", arch, fn, line, stack
        }' "$log"
done

mkdir -p "$out_dir"
cp "$tmp/morphserve.ptx" "$out_dir/morphserve.ptx"
for arch in $archs; do
    cp "$tmp/morphserve.$arch.cubin" "$out_dir/morphserve.$arch.cubin"
done
echo "built $out_dir/morphserve.ptx and cubins for $archs"
