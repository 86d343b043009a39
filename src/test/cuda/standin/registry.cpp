// Storage of the CPU kernel registry (see registry.h). Filled by the static initialisers of
// kernels.cpp while the library loads, read-only afterwards.
#include "registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace standin {
namespace {

// Never destroyed: stream workers may still launch kernels while the process exits.
std::map<std::string, KernelEntry>& entries() {
    static auto* m = new std::map<std::string, KernelEntry>();
    return *m;
}

}  // namespace

bool registerKernel(const char* name, std::vector<size_t> paramSizes, LaunchThunk launch) {
    auto& m = entries();
    if (m.count(name) != 0) {
        // Two kernel files defining the same extern "C" name would not link for the GPU either.
        std::fprintf(stderr, "morphserve-standin: kernel %s registered twice\n", name);
        std::abort();
    }
    m.emplace(name, KernelEntry{name, std::move(paramSizes), launch});
    return true;
}

const KernelEntry* findKernel(const std::string& name) {
    auto& m = entries();
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
}

std::vector<std::string> kernelNames() {
    std::vector<std::string> names;
    for (auto& [name, entry] : entries()) names.push_back(name);
    return names;
}

}  // namespace standin
