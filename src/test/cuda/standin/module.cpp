// Modules, functions and kernel launches.
//
// cuModuleLoadData receives the real PTX the backend would hand a GPU. Each .entry of it must be
// in the CPU kernel registry with exactly the same parameter count and sizes, or the module is
// refused (CUDA_ERROR_INVALID_IMAGE) with the first mismatch printed: this is what keeps the
// emulated kernels and the PTX from drifting apart. Cubins and fatbins are refused with
// CUDA_ERROR_NO_BINARY_FOR_GPU: the stand-in runs PTX only.
#include <cinttypes>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "ptx.h"
#include "standin.h"

namespace standin {

struct Module;

struct Function {
    Module* module = nullptr;
    const KernelEntry* kernel = nullptr;
    PtxEntry entry;
    int ptxVersion = 0;  // major * 10 + minor
    int maxDynamicShared = 0;
    int carveout = -1;
    int cacheConfig = CU_FUNC_CACHE_PREFER_NONE;
};

struct Module {
    std::map<std::string, std::unique_ptr<Function>> functions;
};

namespace {

struct ModuleState {
    std::mutex mu;
    std::map<Module*, std::unique_ptr<Module>> modules;
    std::map<Function*, Function*> functions;  // live function handles
};

ModuleState& modules() {
    static auto* s = new ModuleState();
    return *s;
}

uint32_t le32(const unsigned char* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

std::string sizesText(const std::vector<size_t>& sizes) {
    std::string s = "(";
    for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + ")";
}

// Empty when the entry matches its CPU build, else why not.
std::string checkEntry(const PtxEntry& e, const KernelEntry* k) {
    if (k == nullptr) {
        return "entry " + e.name + " has no CPU build (no extern \"C\" __global__ void " + e.name +
               "( in the kernel sources the stand-in was built from)";
    }
    std::vector<size_t> ptxSizes;
    for (const PtxParam& p : e.params) ptxSizes.push_back(p.size);
    if (e.params.size() != k->paramSizes.size()) {
        return "entry " + e.name + " has " + std::to_string(e.params.size()) + " parameters in the PTX " +
               sizesText(ptxSizes) + " but " + std::to_string(k->paramSizes.size()) + " in its CPU build " +
               sizesText(k->paramSizes);
    }
    for (size_t i = 0; i < e.params.size(); ++i) {
        if (e.params[i].size != k->paramSizes[i]) {
            return "entry " + e.name + " parameter " + std::to_string(i) + ": the PTX declares `" +
                   e.params[i].declaration + "` (" + std::to_string(e.params[i].size) +
                   " bytes) but its CPU build takes " + std::to_string(k->paramSizes[i]) + " bytes";
        }
    }
    return "";
}

CUresult resolveFunction(CUfunction h, Function** out) {
    ModuleState& ms = modules();
    std::lock_guard<std::mutex> lock(ms.mu);
    auto it = ms.functions.find(reinterpret_cast<Function*>(h));
    if (it == ms.functions.end()) {
        log("function %p is not a function of a loaded module", static_cast<void*>(h));
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = it->second;
    return CUDA_SUCCESS;
}

}  // namespace

CUresult moduleLoadData(CUmodule* out, const void* image, std::string* message) {
    if (out == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const auto* bytes = static_cast<const unsigned char*>(image);
    const bool elf = std::memcmp(bytes, "\x7f" "ELF", 4) == 0;
    const uint32_t magic = le32(bytes);
    if (elf || magic == 0xBA55ED50u || magic == 0x466243B1u) {
        *message = std::string(elf ? "a cubin (ELF)" : "a fatbin") +
                   " image: the stand-in device (compute 8.6) runs PTX only";
        log("cuModuleLoadData: refusing %s", message->c_str());
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    const std::string text(static_cast<const char*>(image));
    PtxModule ptx;
    std::string error;
    if (!parsePtx(text, &ptx, &error)) {
        *message = "cannot read the PTX: " + error;
        log("cuModuleLoadData: %s", message->c_str());
        return CUDA_ERROR_INVALID_PTX;
    }
    int version = 0;
    if (size_t dot = ptx.version.find('.'); dot != std::string::npos) {
        version = std::atoi(ptx.version.substr(0, dot).c_str()) * 10 + std::atoi(ptx.version.substr(dot + 1).c_str());
    }
    auto module = std::make_unique<Module>();
    for (const PtxEntry& e : ptx.entries) {
        const KernelEntry* k = findKernel(e.name);
        if (std::string why = checkEntry(e, k); !why.empty()) {
            *message = why;
            log("cuModuleLoadData: refusing the module: %s", why.c_str());
            return CUDA_ERROR_INVALID_IMAGE;
        }
        if (e.staticSharedBytes > kSharedPerBlock) {
            *message = "entry " + e.name + " uses " + std::to_string(e.staticSharedBytes) +
                       " bytes of static shared memory, more than the 49152 a block may";
            log("cuModuleLoadData: refusing the module: %s", message->c_str());
            return CUDA_ERROR_INVALID_IMAGE;
        }
        auto f = std::make_unique<Function>();
        f->module = module.get();
        f->kernel = k;
        f->entry = e;
        f->ptxVersion = version;
        f->maxDynamicShared = static_cast<int>(kSharedPerBlock - e.staticSharedBytes);
        module->functions[e.name] = std::move(f);
    }
    ModuleState& ms = modules();
    std::lock_guard<std::mutex> lock(ms.mu);
    for (auto& [name, f] : module->functions) ms.functions[f.get()] = f.get();
    *out = reinterpret_cast<CUmodule>(module.get());
    ms.modules[module.get()] = std::move(module);
    return CUDA_SUCCESS;
}

CUresult moduleLoadFile(CUmodule* out, const char* path) {
    if (path == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::ifstream in(path, std::ios::binary);
    if (!in) return CUDA_ERROR_FILE_NOT_FOUND;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string data = ss.str();
    data.push_back('\0');
    std::string message;
    return moduleLoadData(out, data.data(), &message);
}

CUresult moduleUnload(CUmodule h) {
    ModuleState& ms = modules();
    std::lock_guard<std::mutex> lock(ms.mu);
    auto it = ms.modules.find(reinterpret_cast<Module*>(h));
    if (it == ms.modules.end()) return CUDA_ERROR_INVALID_HANDLE;
    // Work already enqueued refers to the registry, not to these objects.
    for (auto& [name, f] : it->second->functions) ms.functions.erase(f.get());
    ms.modules.erase(it);
    return CUDA_SUCCESS;
}

CUresult moduleGetFunction(CUfunction* out, CUmodule h, const char* name) {
    if (out == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    ModuleState& ms = modules();
    std::lock_guard<std::mutex> lock(ms.mu);
    auto it = ms.modules.find(reinterpret_cast<Module*>(h));
    if (it == ms.modules.end()) return CUDA_ERROR_INVALID_HANDLE;
    auto f = it->second->functions.find(name);
    if (f == it->second->functions.end()) {
        log("cuModuleGetFunction: the module has no entry %s", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    *out = reinterpret_cast<CUfunction>(f->second.get());
    return CUDA_SUCCESS;
}

CUresult functionGetAttribute(int* value, CUfunction_attribute attr, CUfunction h) {
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Function* f;
    if (CUresult r = resolveFunction(h, &f); r != CUDA_SUCCESS) return r;
    const PtxEntry& e = f->entry;
    switch (attr) {
        case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: {
            unsigned n = kMaxThreadsPerBlock;
            if (e.maxntid[0] != 0) n = std::min<unsigned>(n, e.maxntid[0] * e.maxntid[1] * e.maxntid[2]);
            if (e.reqntid[0] != 0) n = std::min<unsigned>(n, e.reqntid[0] * e.reqntid[1] * e.reqntid[2]);
            *value = static_cast<int>(n);
            break;
        }
        case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *value = static_cast<int>(e.staticSharedBytes); break;
        case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *value = 0; break;
        case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *value = 0; break;
        case CU_FUNC_ATTRIBUTE_NUM_REGS: *value = 32; break;
        case CU_FUNC_ATTRIBUTE_PTX_VERSION: *value = f->ptxVersion; break;
        case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *value = kComputeMajor * 10 + kComputeMinor; break;
        case CU_FUNC_ATTRIBUTE_CACHE_MODE_CA: *value = 0; break;
        case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *value = f->maxDynamicShared; break;
        case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT: *value = f->carveout; break;
        default:
            if (static_cast<int>(attr) < 0 || attr >= CU_FUNC_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
            *value = 0;
    }
    return CUDA_SUCCESS;
}

CUresult functionSetAttribute(CUfunction h, CUfunction_attribute attr, int value) {
    Function* f;
    if (CUresult r = resolveFunction(h, &f); r != CUDA_SUCCESS) return r;
    switch (attr) {
        case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
            if (value < 0 || static_cast<size_t>(value) + f->entry.staticSharedBytes > kSharedPerBlockOptin) {
                log("cuFuncSetAttribute(%s): %d bytes of dynamic shared memory exceed the %zu-byte opt-in limit",
                    f->entry.name.c_str(), value, kSharedPerBlockOptin - f->entry.staticSharedBytes);
                return CUDA_ERROR_INVALID_VALUE;
            }
            f->maxDynamicShared = value;
            return CUDA_SUCCESS;
        case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
            if (value < -1 || value > 100) return CUDA_ERROR_INVALID_VALUE;
            f->carveout = value;
            return CUDA_SUCCESS;
        default:
            return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult functionSetCacheConfig(CUfunction h, int config) {
    Function* f;
    if (CUresult r = resolveFunction(h, &f); r != CUDA_SUCCESS) return r;
    f->cacheConfig = config;
    return CUDA_SUCCESS;
}

CUresult launchKernel(CUfunction h, const unsigned grid[3], const unsigned block[3], unsigned sharedBytes,
                      CUstream stream, void** params, void** extra) {
    Function* f;
    if (CUresult r = resolveFunction(h, &f); r != CUDA_SUCCESS) return r;
    const PtxEntry& e = f->entry;
    const char* name = e.name.c_str();
    if (extra != nullptr) {
        log("cuLaunchKernel(%s): the `extra` parameter form is not supported; pass kernelParams", name);
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    const std::vector<size_t>& sizes = f->kernel->paramSizes;
    if (params == nullptr && !sizes.empty()) {
        log("cuLaunchKernel(%s): kernelParams is NULL but the kernel takes %zu parameters", name, sizes.size());
        return CUDA_ERROR_INVALID_VALUE;
    }
    uint64_t threads = 1;
    for (int d = 0; d < 3; ++d) {
        if (grid[d] == 0 || grid[d] > kMaxGridDim[d] || block[d] == 0 ||
            block[d] > static_cast<unsigned>(kMaxBlockDim[d])) {
            log("cuLaunchKernel(%s): grid (%u, %u, %u) or block (%u, %u, %u) out of the device's limits", name,
                grid[0], grid[1], grid[2], block[0], block[1], block[2]);
            return CUDA_ERROR_INVALID_VALUE;
        }
        threads *= block[d];
    }
    uint64_t limit = kMaxThreadsPerBlock;
    if (e.maxntid[0] != 0) limit = std::min<uint64_t>(limit, uint64_t(e.maxntid[0]) * e.maxntid[1] * e.maxntid[2]);
    if (threads > limit) {
        log("cuLaunchKernel(%s): %" PRIu64 " threads per block, more than the %" PRIu64 " allowed", name, threads,
            limit);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (e.reqntid[0] != 0 && (block[0] != e.reqntid[0] || block[1] != e.reqntid[1] || block[2] != e.reqntid[2])) {
        log("cuLaunchKernel(%s): block (%u, %u, %u) differs from the required (.reqntid) %u, %u, %u", name,
            block[0], block[1], block[2], e.reqntid[0], e.reqntid[1], e.reqntid[2]);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (sharedBytes > static_cast<unsigned>(f->maxDynamicShared)) {
        log("cuLaunchKernel(%s): %u bytes of dynamic shared memory, more than the %d allowed "
            "(static %zu; raise CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES up to %zu in all)",
            name, sharedBytes, f->maxDynamicShared, e.staticSharedBytes, kSharedPerBlockOptin);
        return CUDA_ERROR_INVALID_VALUE;
    }
    // Parameters are copied now, as cuLaunchKernel (and stream capture) does.
    auto blob = std::make_shared<std::vector<unsigned char>>();
    std::vector<size_t> offsets;
    size_t total = 0;
    for (size_t s : sizes) {
        total = (total + 15) / 16 * 16;
        offsets.push_back(total);
        total += s;
    }
    blob->resize(total + 16);
    for (size_t i = 0; i < sizes.size(); ++i) {
        if (params[i] == nullptr) {
            log("cuLaunchKernel(%s): kernelParams[%zu] is NULL", name, i);
            return CUDA_ERROR_INVALID_VALUE;
        }
        std::memcpy(blob->data() + offsets[i], params[i], sizes[i]);
    }
    LaunchDims dims{};
    dims.name = f->kernel->name.c_str();  // registry entries live as long as the process
    for (int d = 0; d < 3; ++d) {
        dims.grid[d] = grid[d];
        dims.block[d] = block[d];
    }
    dims.dynamicSharedBytes = sharedBytes;
    dims.schedule = config().schedule;
    dims.seed = config().schedule == kScheduleRandom ? nextLaunchSeed() : config().seed;
    char what[256];
    std::snprintf(what, sizeof what, "kernel %s<<<(%u,%u,%u), (%u,%u,%u), %u>>>", name, grid[0], grid[1], grid[2],
                  block[0], block[1], block[2], sharedBytes);
    Op op;
    op.kind = Op::Kernel;
    op.what = what;
    const KernelEntry* kernel = f->kernel;
    op.run = [kernel, blob, offsets, dims] {
        std::vector<void*> ptrs(offsets.size());
        for (size_t i = 0; i < offsets.size(); ++i) ptrs[i] = blob->data() + offsets[i];
        kernel->launch(dims, ptrs.data());
    };
    return enqueue(stream, std::move(op));
}

}  // namespace standin
