// Included by kernels.cpp after the kernel sources (compiled as C++, so cuda_emu.h is already in):
// ENTRY(name) registers an extern "C" kernel with its parameter sizes and a launcher that unpacks
// cuLaunchKernel-style void** parameters.
#pragma once

#include "registry.h"

namespace standin_unit {

inline emu::Schedule toSchedule(int s) {
    switch (s) {
        case standin::kScheduleReversed: return emu::Schedule::Reversed;
        case standin::kScheduleRandom: return emu::Schedule::Random;
        default: return emu::Schedule::InOrder;
    }
}

template <auto Kernel>
void launch(const standin::LaunchDims& d, void** params) {
    emu::LaunchConfig c;
    c.grid = dim3(d.grid[0], d.grid[1], d.grid[2]);
    c.block = dim3(d.block[0], d.block[1], d.block[2]);
    c.dynamicSharedBytes = d.dynamicSharedBytes;
    c.schedule = toSchedule(d.schedule);
    c.seed = d.seed;
    c.name = d.name;
    emu::launch_packed(Kernel, c, params);
}

}  // namespace standin_unit

#define ENTRY(NAME)                                                                                   \
    static const bool standin_registered_##NAME [[maybe_unused]] =                                    \
        standin::registerKernel(#NAME, emu::param_sizes(&NAME), &standin_unit::launch<&NAME>);
