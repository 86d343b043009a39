// cuInit, the configuration read from the environment, the one device and the contexts.
//
// The device is "MorphServe CPU emulator", compute capability 8.6 (the backend carries cubins for
// sm_80, sm_89 and sm_90 only, so it loads its compute_80 PTX, as a real 8.6 GPU could), warp size 32, one SM, 1024 threads and 48 KiB shared
// memory per block (96 KiB opt-in). A context is a cookie: all contexts share the one set of
// memory, streams and modules, but the API keeps CUDA's per-thread current-context rules, so a
// host thread that forgot cuCtxSetCurrent gets CUDA_ERROR_INVALID_CONTEXT as on a GPU.
#include <strings.h>

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "faults.h"
#include "standin.h"

namespace standin {
namespace {

Config gConfig;
std::atomic<bool> gInitialized{false};

struct Context {
    unsigned flags = 0;
    bool primary = false;
    unsigned long long id = 0;
    size_t limits[CU_LIMIT_MAX] = {1024, 1 << 20, 8 << 20, 2, 2048, 64, 0, 0, 0, 0};
    CUfunc_cache cache = CU_FUNC_CACHE_PREFER_NONE;
};

struct Contexts {
    std::mutex mu;
    std::set<Context*> live;  // created contexts not destroyed; objects are never freed
    Context* primary = nullptr;
    int primaryRefs = 0;
    unsigned primaryFlags = 0;
    unsigned long long nextId = 1;
};

Contexts& contexts() {
    static auto* c = new Contexts();
    return *c;
}

thread_local std::vector<Context*> tlStack;

bool isAlive(Contexts& c, Context* ctx) {
    return ctx != nullptr && (ctx == c.primary ? c.primaryRefs > 0 : c.live.count(ctx) != 0);
}

bool parseBytes(const char* text, size_t* out) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (end == text || errno != 0) return false;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K') shift = 10, ++end;
    else if (*end == 'm' || *end == 'M') shift = 20, ++end;
    else if (*end == 'g' || *end == 'G') shift = 30, ++end;
    if (*end != '\0' || v == 0 || (shift && v > (~0ull >> shift))) return false;
    *out = static_cast<size_t>(v << shift);
    return true;
}

CUresult checkDevice(CUdevice dev) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    return dev == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

}  // namespace

const Config& config() { return gConfig; }

void log(const char* fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "morphserve-standin: %s\n", buf);
}

bool loadConfig() {
    Config c;
    bool ok = true;
    if (const char* v = std::getenv("MORPHSERVE_STANDIN_MEMORY_BYTES"); v != nullptr && *v) {
        if (!parseBytes(v, &c.totalMemory)) {
            log("MORPHSERVE_STANDIN_MEMORY_BYTES=%s: expected a positive byte count (optionally k, m or g)", v);
            ok = false;
        }
    }
    if (const char* v = std::getenv("MORPHSERVE_STANDIN_SYNC"); v != nullptr && *v) {
        c.sync = std::strcmp(v, "0") != 0;
    }
    if (const char* v = std::getenv("MORPHSERVE_STANDIN_SCHEDULE"); v != nullptr && *v) {
        if (strcasecmp(v, "inorder") == 0) c.schedule = kScheduleInOrder;
        else if (strcasecmp(v, "reversed") == 0) c.schedule = kScheduleReversed;
        else if (strcasecmp(v, "random") == 0) c.schedule = kScheduleRandom;
        else {
            log("MORPHSERVE_STANDIN_SCHEDULE=%s: expected inorder, reversed or random", v);
            ok = false;
        }
    }
    if (const char* v = std::getenv("MORPHSERVE_STANDIN_SEED"); v != nullptr && *v) {
        char* end = nullptr;
        c.seed = std::strtoull(v, &end, 0);
        if (*end != '\0') {
            log("MORPHSERVE_STANDIN_SEED=%s: expected an integer", v);
            ok = false;
        }
    }
    if (const char* v = std::getenv("MORPHSERVE_STANDIN_CATCH_FAULTS"); v != nullptr && *v) {
        c.catchFaults = std::strcmp(v, "0") != 0;
    }
    if (ok) gConfig = c;
    return ok;
}

bool initialized() { return gInitialized; }

CUresult requireContext() {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (tlStack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    Context* top = tlStack.back();
    if (isAlive(c, top)) return CUDA_SUCCESS;
    return top == c.primary ? CUDA_ERROR_INVALID_CONTEXT : CUDA_ERROR_CONTEXT_IS_DESTROYED;
}

}  // namespace standin

using namespace standin;

extern "C" {

CUresult cuInit(unsigned int flags) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (gInitialized) return CUDA_SUCCESS;
    if (!loadConfig()) return CUDA_ERROR_INVALID_VALUE;
    streamsInit();
    if (gConfig.catchFaults) installFaultHandlers();
    gInitialized = true;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = kDriverVersion;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(ordinal); r != CUDA_SUCCESS) return r;
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    *count = 1;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    std::snprintf(name, static_cast<size_t>(len), "%s", kDeviceName);
    return CUDA_SUCCESS;
}

#pragma push_macro("cuDeviceGetUuid")
#undef cuDeviceGetUuid
CUresult cuDeviceGetUuid(CUuuid* uuid, CUdevice dev) {
    if (uuid == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    static const char bytes[16] = {'m', 'o', 'r', 'p', 'h', 's', 'e', 'r', 'v', 'e', '-', 'e', 'm', 'u', '-', '0'};
    std::memcpy(uuid->bytes, bytes, 16);
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetUuid_v2(CUuuid* uuid, CUdevice dev) { return cuDeviceGetUuid(uuid, dev); }
#pragma pop_macro("cuDeviceGetUuid")

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    *bytes = gConfig.totalMemory;
    return CUDA_SUCCESS;
}

CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice dev) {
    if (major == nullptr || minor == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    *major = kComputeMajor;
    *minor = kComputeMinor;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetProperties(CUdevprop* prop, CUdevice dev) {
    if (prop == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    prop->maxThreadsPerBlock = kMaxThreadsPerBlock;
    for (int d = 0; d < 3; ++d) {
        prop->maxThreadsDim[d] = kMaxBlockDim[d];
        prop->maxGridSize[d] = static_cast<int>(kMaxGridDim[d]);
    }
    prop->sharedMemPerBlock = static_cast<int>(kSharedPerBlock);
    prop->totalConstantMemory = 65536;
    prop->SIMDWidth = kWarpSize;
    prop->memPitch = 2147483647;
    prop->regsPerBlock = 65536;
    prop->clockRate = 1000000;
    prop->textureAlign = 512;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attr, CUdevice dev) {
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    int v = 0;
    switch (attr) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: v = kMaxThreadsPerBlock; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: v = kMaxBlockDim[0]; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: v = kMaxBlockDim[1]; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: v = kMaxBlockDim[2]; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: v = static_cast<int>(kMaxGridDim[0]); break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: v = static_cast<int>(kMaxGridDim[1]); break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: v = static_cast<int>(kMaxGridDim[2]); break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: v = static_cast<int>(kSharedPerBlock); break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: v = static_cast<int>(kSharedPerBlockOptin); break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: v = static_cast<int>(kSharedPerBlockOptin); break;
        case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: v = 65536; break;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: v = kWarpSize; break;
        case CU_DEVICE_ATTRIBUTE_MAX_PITCH: v = 2147483647; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: v = 65536; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: v = 65536; break;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: v = 1000000; break;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: v = 1000000; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: v = 64; break;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: v = 4 << 20; break;
        case CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT: v = 512; break;
        case CU_DEVICE_ATTRIBUTE_TEXTURE_PITCH_ALIGNMENT: v = 32; break;
        case CU_DEVICE_ATTRIBUTE_SURFACE_ALIGNMENT: v = 512; break;
        case CU_DEVICE_ATTRIBUTE_GPU_OVERLAP: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE: v = CU_COMPUTEMODE_DEFAULT; break;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: v = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: v = 16; break;
        case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: v = 2; break;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: v = kComputeMajor; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: v = kComputeMinor; break;
        case CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_HOST_REGISTER_SUPPORTED: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO: v = 32; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED: v = 1; break;
        case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: v = 0; break;
        case CU_DEVICE_ATTRIBUTE_NUMA_ID: v = -1; break;
        case CU_DEVICE_ATTRIBUTE_HOST_NUMA_ID: v = -1; break;
        default:
            if (static_cast<int>(attr) <= 0 || attr >= CU_DEVICE_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
            v = 0;  // textures, interop, peer access, managed memory, memory pools, ...: absent
    }
    *value = v;
    return CUDA_SUCCESS;
}

// ---- primary context ----

CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.primary == nullptr) {
        c.primary = new Context();
        c.primary->primary = true;
        c.primary->id = c.nextId++;
    }
    if (c.primaryRefs++ == 0) c.primary->flags = c.primaryFlags;
    *pctx = reinterpret_cast<CUcontext>(c.primary);
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.primaryRefs == 0) return CUDA_ERROR_INVALID_CONTEXT;
    --c.primaryRefs;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    c.primaryFlags = flags;
    if (c.primary != nullptr) c.primary->flags = flags;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int* flags, int* active) {
    if (flags == nullptr || active == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    *flags = c.primaryFlags;
    *active = c.primaryRefs > 0;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev) {
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    ctxSynchronize();
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    c.primaryRefs = 0;
    return CUDA_SUCCESS;
}

// ---- contexts ----

CUresult cuCtxCreate_v2(CUcontext* pctx, unsigned int flags, CUdevice dev) {
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkDevice(dev); r != CUDA_SUCCESS) return r;
    Contexts& c = contexts();
    auto* ctx = new Context();
    ctx->flags = flags;
    {
        std::lock_guard<std::mutex> lock(c.mu);
        ctx->id = c.nextId++;
        c.live.insert(ctx);
    }
    tlStack.push_back(ctx);
    *pctx = reinterpret_cast<CUcontext>(ctx);
    return CUDA_SUCCESS;
}

CUresult cuCtxDestroy_v2(CUcontext h) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    auto* ctx = reinterpret_cast<Context*>(h);
    Contexts& c = contexts();
    {
        std::lock_guard<std::mutex> lock(c.mu);
        if (c.live.count(ctx) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    }
    ctxSynchronize();  // CUDA waits for the context's work before tearing it down
    {
        std::lock_guard<std::mutex> lock(c.mu);
        c.live.erase(ctx);
    }
    if (!tlStack.empty() && tlStack.back() == ctx) tlStack.pop_back();
    return CUDA_SUCCESS;
}

CUresult cuCtxPushCurrent_v2(CUcontext h) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    auto* ctx = reinterpret_cast<Context*>(h);
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    if (ctx == nullptr || (ctx != c.primary && c.live.count(ctx) == 0)) return CUDA_ERROR_INVALID_CONTEXT;
    tlStack.push_back(ctx);
    return CUDA_SUCCESS;
}

CUresult cuCtxPopCurrent_v2(CUcontext* pctx) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (tlStack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
    if (pctx != nullptr) *pctx = reinterpret_cast<CUcontext>(tlStack.back());
    tlStack.pop_back();
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext h) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    auto* ctx = reinterpret_cast<Context*>(h);
    if (ctx == nullptr) {
        if (!tlStack.empty()) tlStack.pop_back();
        return CUDA_SUCCESS;
    }
    Contexts& c = contexts();
    std::lock_guard<std::mutex> lock(c.mu);
    if (ctx != c.primary && c.live.count(ctx) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (tlStack.empty()) tlStack.push_back(ctx);
    else tlStack.back() = ctx;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext* pctx) {
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    *pctx = tlStack.empty() ? nullptr : reinterpret_cast<CUcontext>(tlStack.back());
    return CUDA_SUCCESS;
}

CUresult cuCtxGetDevice(CUdevice* device) {
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetFlags(unsigned int* flags) {
    if (flags == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    *flags = tlStack.back()->flags;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetId(CUcontext h, unsigned long long* id) {
    if (id == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (h == nullptr) {
        if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
        h = reinterpret_cast<CUcontext>(tlStack.back());
    }
    *id = reinterpret_cast<Context*>(h)->id;
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    return ctxSynchronize();
}

CUresult cuCtxSetLimit(CUlimit limit, size_t value) {
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    if (static_cast<int>(limit) < 0 || limit > CU_LIMIT_PERSISTING_L2_CACHE_SIZE) return CUDA_ERROR_UNSUPPORTED_LIMIT;
    tlStack.back()->limits[limit] = value;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetLimit(size_t* value, CUlimit limit) {
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    if (static_cast<int>(limit) < 0 || limit >= CU_LIMIT_MAX) return CUDA_ERROR_UNSUPPORTED_LIMIT;
    *value = tlStack.back()->limits[limit];
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCacheConfig(CUfunc_cache* config) {
    if (config == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    *config = tlStack.back()->cache;
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCacheConfig(CUfunc_cache config) {
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    if (static_cast<int>(config) < 0 || config > CU_FUNC_CACHE_PREFER_EQUAL) return CUDA_ERROR_INVALID_VALUE;
    tlStack.back()->cache = config;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetApiVersion(CUcontext h, unsigned int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (h == nullptr) {
        if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    }
    *version = 3020;  // what the driver reports for contexts of the _v2 API
    return CUDA_SUCCESS;
}

CUresult cuCtxGetStreamPriorityRange(int* leastPriority, int* greatestPriority) {
    if (CUresult r = requireContext(); r != CUDA_SUCCESS) return r;
    if (leastPriority != nullptr) *leastPriority = 0;
    if (greatestPriority != nullptr) *greatestPriority = -5;
    return CUDA_SUCCESS;
}

}  // extern "C"
