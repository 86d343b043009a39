// The CPU kernel registry: every extern "C" __global__ kernel of src/main/cuda (and the
// self-test kernels of this directory), compiled as C++ against the emulator, registered by name
// with its parameter sizes and a launcher. The registrations are generated at build time
// (kernels.cpp, kernel_entry.h: one ENTRY(name) line per kernel); this header is free of
// emulator types so the rest of the library does not see the emulator's macros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace standin {

// emu::Schedule, as a plain int (same order).
constexpr int kScheduleInOrder = 0;
constexpr int kScheduleReversed = 1;
constexpr int kScheduleRandom = 2;

struct LaunchDims {
    const char* name;  // for the emulator's messages
    unsigned grid[3];
    unsigned block[3];
    size_t dynamicSharedBytes;
    int schedule;
    uint64_t seed;
};

// Runs the kernel to completion on the calling thread; throws (emu::KernelError) when it fails.
using LaunchThunk = void (*)(const LaunchDims& dims, void** params);

struct KernelEntry {
    std::string name;
    std::vector<size_t> paramSizes;
    LaunchThunk launch;
};

// Called from the static initialisers of kernels.cpp; returns true.
bool registerKernel(const char* name, std::vector<size_t> paramSizes, LaunchThunk launch);
const KernelEntry* findKernel(const std::string& name);
std::vector<std::string> kernelNames();

}  // namespace standin
