// Tests of the stand-in libcuda.so, driven the way LWJGL drives it: the library is dlopen'ed
// and every function is called through a pointer found by dlsym under the name LWJGL 3.3.6
// resolves (cuMemAlloc_v2, cuStreamDestroy_v2, ...). Each case runs in its own forked process,
// so that environment settings (memory size, sync mode, schedule) and the sticky error of a
// failed kernel stay with that case.
//
// usage: standin_test LIBCUDA SELFTEST_PTX PROJECT_PTX
//   SELFTEST_PTX: standin_selftest_kernels.cu compiled by nvcc -ptx; PROJECT_PTX: build.sh's
//   morphserve.ptx. Cases needing a missing PTX file are skipped. STANDIN_TEST_SKIP=a,b skips
//   cases by name; STANDIN_TEST_ONLY=a,b runs only those.
#include <cuda.h>  // types and constants only: every call goes through the pointers below
#undef cuEventElapsedTime
#undef cuStreamBeginCapture
#undef cuGraphInstantiate

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// ---- the driver, as LWJGL binds it -----------------------------------------------------------

#define DRIVER_FUNCTIONS(X)                                                                           \
    X(cuGetErrorName, (CUresult, const char**))                                                      \
    X(cuGetErrorString, (CUresult, const char**))                                                    \
    X(cuInit, (unsigned))                                                                            \
    X(cuDriverGetVersion, (int*))                                                                    \
    X(cuDeviceGet, (CUdevice*, int))                                                                 \
    X(cuDeviceGetCount, (int*))                                                                      \
    X(cuDeviceGetName, (char*, int, CUdevice))                                                       \
    X(cuDeviceTotalMem_v2, (size_t*, CUdevice))                                                      \
    X(cuDeviceGetAttribute, (int*, CUdevice_attribute, CUdevice))                                    \
    X(cuDeviceComputeCapability, (int*, int*, CUdevice))                                             \
    X(cuDevicePrimaryCtxRetain, (CUcontext*, CUdevice))                                              \
    X(cuDevicePrimaryCtxRelease_v2, (CUdevice))                                                      \
    X(cuCtxCreate_v2, (CUcontext*, unsigned, CUdevice))                                              \
    X(cuCtxDestroy_v2, (CUcontext))                                                                  \
    X(cuCtxSetCurrent, (CUcontext))                                                                  \
    X(cuCtxGetCurrent, (CUcontext*))                                                                 \
    X(cuCtxPushCurrent_v2, (CUcontext))                                                              \
    X(cuCtxPopCurrent_v2, (CUcontext*))                                                              \
    X(cuCtxSynchronize, ())                                                                          \
    X(cuMemGetInfo_v2, (size_t*, size_t*))                                                           \
    X(cuMemAlloc_v2, (CUdeviceptr*, size_t))                                                         \
    X(cuMemFree_v2, (CUdeviceptr))                                                                   \
    X(cuMemGetAddressRange_v2, (CUdeviceptr*, size_t*, CUdeviceptr))                                 \
    X(cuMemHostAlloc, (void**, size_t, unsigned))                                                    \
    X(cuMemAllocHost_v2, (void**, size_t))                                                           \
    X(cuMemFreeHost, (void*))                                                                        \
    X(cuMemcpy, (CUdeviceptr, CUdeviceptr, size_t))                                                  \
    X(cuMemcpyAsync, (CUdeviceptr, CUdeviceptr, size_t, CUstream))                                   \
    X(cuMemcpyHtoD_v2, (CUdeviceptr, const void*, size_t))                                           \
    X(cuMemcpyDtoH_v2, (void*, CUdeviceptr, size_t))                                                 \
    X(cuMemcpyDtoD_v2, (CUdeviceptr, CUdeviceptr, size_t))                                           \
    X(cuMemcpyHtoDAsync_v2, (CUdeviceptr, const void*, size_t, CUstream))                            \
    X(cuMemcpyDtoHAsync_v2, (void*, CUdeviceptr, size_t, CUstream))                                  \
    X(cuMemcpyDtoDAsync_v2, (CUdeviceptr, CUdeviceptr, size_t, CUstream))                            \
    X(cuMemcpy2D_v2, (const CUDA_MEMCPY2D*))                                                         \
    X(cuMemsetD8_v2, (CUdeviceptr, unsigned char, size_t))                                           \
    X(cuMemsetD16_v2, (CUdeviceptr, unsigned short, size_t))                                         \
    X(cuMemsetD32_v2, (CUdeviceptr, unsigned, size_t))                                               \
    X(cuMemsetD2D32_v2, (CUdeviceptr, size_t, unsigned, size_t, size_t))                             \
    X(cuMemsetD32Async, (CUdeviceptr, unsigned, size_t, CUstream))                                   \
    X(cuStreamCreate, (CUstream*, unsigned))                                                         \
    X(cuStreamDestroy_v2, (CUstream))                                                                \
    X(cuStreamSynchronize, (CUstream))                                                               \
    X(cuStreamQuery, (CUstream))                                                                     \
    X(cuStreamWaitEvent, (CUstream, CUevent, unsigned))                                              \
    X(cuStreamBeginCapture_v2, (CUstream, CUstreamCaptureMode))                                      \
    X(cuStreamEndCapture, (CUstream, CUgraph*))                                                      \
    X(cuStreamIsCapturing, (CUstream, CUstreamCaptureStatus*))                                       \
    X(cuLaunchHostFunc, (CUstream, CUhostFn, void*))                                                 \
    X(cuEventCreate, (CUevent*, unsigned))                                                           \
    X(cuEventDestroy_v2, (CUevent))                                                                  \
    X(cuEventRecord, (CUevent, CUstream))                                                            \
    X(cuEventQuery, (CUevent))                                                                       \
    X(cuEventSynchronize, (CUevent))                                                                 \
    X(cuEventElapsedTime, (float*, CUevent, CUevent))                                                \
    X(cuModuleLoadData, (CUmodule*, const void*))                                                    \
    X(cuModuleLoadDataEx, (CUmodule*, const void*, unsigned, CUjit_option*, void**))                 \
    X(cuModuleUnload, (CUmodule))                                                                    \
    X(cuModuleGetFunction, (CUfunction*, CUmodule, const char*))                                     \
    X(cuFuncGetAttribute, (int*, CUfunction_attribute, CUfunction))                                  \
    X(cuFuncSetAttribute, (CUfunction, CUfunction_attribute, int))                                   \
    X(cuLaunchKernel, (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,       \
                       unsigned, CUstream, void**, void**))                                          \
    X(cuGraphInstantiateWithFlags, (CUgraphExec*, CUgraph, unsigned long long))                      \
    X(cuGraphInstantiate_v2, (CUgraphExec*, CUgraph, CUgraphNode*, char*, size_t))                   \
    X(cuGraphLaunch, (CUgraphExec, CUstream))                                                        \
    X(cuGraphDestroy, (CUgraph))                                                                     \
    X(cuGraphExecDestroy, (CUgraphExec))

struct Driver {
#define DECLARE(NAME, ARGS) CUresult(*NAME) ARGS = nullptr;
    DRIVER_FUNCTIONS(DECLARE)
#undef DECLARE
};

Driver d;
void* library = nullptr;
std::string libraryPath, selftestPtx, projectPtx;  // PTX texts ("" when absent)

// ---- checks ------------------------------------------------------------------------------------

[[noreturn]] void failAt(const char* file, int line, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "  FAILED at %s:%d: ", file, line);
    std::vfprintf(stderr, fmt, ap);
    std::fprintf(stderr, "\n");
    va_end(ap);
    std::_Exit(1);
}

#define CHECK(cond) \
    do { if (!(cond)) failAt(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_MSG(cond, ...) \
    do { if (!(cond)) failAt(__FILE__, __LINE__, __VA_ARGS__); } while (0)

const char* errorName(CUresult r) {
    const char* s = nullptr;
    if (d.cuGetErrorName == nullptr || d.cuGetErrorName(r, &s) != CUDA_SUCCESS || s == nullptr) return "?";
    return s;
}

// CK(call, expected): the call returns expected.
#define CK_IS(call, expected)                                                                           \
    do {                                                                                                \
        const CUresult r_ = (call);                                                                     \
        const CUresult e_ = (expected);                                                                 \
        if (r_ != e_) failAt(__FILE__, __LINE__, "%s returned %d %s, expected %d %s", #call, r_,        \
                             errorName(r_), e_, errorName(e_));                                          \
    } while (0)
#define CK(call) CK_IS(call, CUDA_SUCCESS)

// ---- helpers -----------------------------------------------------------------------------------

void load() {
    library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    CHECK_MSG(library != nullptr, "dlopen(%s): %s", libraryPath.c_str(), dlerror());
#define RESOLVE(NAME, ARGS)                                                            \
    d.NAME = reinterpret_cast<decltype(d.NAME)>(dlsym(library, #NAME));               \
    CHECK_MSG(d.NAME != nullptr, "%s is not exported", #NAME);
    DRIVER_FUNCTIONS(RESOLVE)
#undef RESOLVE
}

CUcontext setup() {
    CK(d.cuInit(0));
    CUdevice dev;
    CK(d.cuDeviceGet(&dev, 0));
    CUcontext ctx = nullptr;
    CK(d.cuCtxCreate_v2(&ctx, 0, dev));
    return ctx;
}

CUmodule loadModule(const std::string& ptx) {
    CUmodule m = nullptr;
    CK(d.cuModuleLoadData(&m, ptx.c_str()));
    return m;
}

CUfunction function(CUmodule m, const char* name) {
    CUfunction f = nullptr;
    CK(d.cuModuleGetFunction(&f, m, name));
    return f;
}

CUdeviceptr alloc(size_t bytes) {
    CUdeviceptr p = 0;
    CK(d.cuMemAlloc_v2(&p, bytes));
    return p;
}

template <typename T>
T* pinned(size_t count) {
    void* p = nullptr;
    CK(d.cuMemHostAlloc(&p, count * sizeof(T), 0));
    return static_cast<T*>(p);
}

template <typename T>
void upload(CUdeviceptr dst, const std::vector<T>& v) {
    CK(d.cuMemcpyHtoD_v2(dst, v.data(), v.size() * sizeof(T)));
}

template <typename T>
std::vector<T> download(CUdeviceptr src, size_t count) {
    std::vector<T> v(count);
    CK(d.cuMemcpyDtoH_v2(v.data(), src, count * sizeof(T)));
    return v;
}

CUresult axpy(CUfunction f, CUstream s, CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int n, float scale) {
    void* params[] = {&a, &b, &c, &n, &scale};
    return d.cuLaunchKernel(f, (n + 127) / 128, 1, 1, 128, 1, 1, 0, s, params, nullptr);
}

// A host function that holds its stream until released: makes "still running" observable.
struct Gate {
    std::atomic<bool> open{false};
    std::atomic<bool> reached{false};
    static void CUDA_CB wait(void* self) {
        auto* g = static_cast<Gate*>(self);
        g->reached = true;
        while (!g->open.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
};

// Everything written to stderr while alive, readable with text().
struct StderrCapture {
    FILE* file = std::tmpfile();
    int saved = dup(2);
    StderrCapture() {
        std::fflush(stderr);
        dup2(fileno(file), 2);
    }
    std::string text() {
        std::fflush(stderr);
        std::string s;
        std::rewind(file);
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) s.append(buf, n);
        return s;
    }
    ~StderrCapture() {
        const std::string s = text();
        dup2(saved, 2);
        close(saved);
        std::fclose(file);
        std::fputs(s.c_str(), stderr);  // still shown, after the case's own checks
    }
};

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// ---- cases -------------------------------------------------------------------------------------

// Every function LWJGL 3.3.6's CU class requires, looked up as LWJGL does (name_vN ... name_v2,
// then name), plus the optional ones the MorphServe backend uses.
void testSymbols() {
    static const struct {
        const char* name;
        int version;
    } required[] = {
    {"cuGetErrorString", 1}, {"cuGetErrorName", 1}, {"cuInit", 1}, {"cuDriverGetVersion", 1},
    {"cuDeviceGet", 1}, {"cuDeviceGetCount", 1}, {"cuDeviceGetName", 1}, {"cuDeviceTotalMem", 2},
    {"cuDeviceGetAttribute", 1}, {"cuDeviceGetProperties", 1}, {"cuDeviceComputeCapability", 1},
    {"cuCtxCreate", 2}, {"cuCtxGetDevice", 1}, {"cuCtxSynchronize", 1}, {"cuCtxSetLimit", 1},
    {"cuCtxGetLimit", 1}, {"cuCtxGetCacheConfig", 1}, {"cuCtxSetCacheConfig", 1}, {"cuCtxGetApiVersion", 1},
    {"cuCtxGetStreamPriorityRange", 1}, {"cuCtxAttach", 1}, {"cuCtxDetach", 1}, {"cuModuleLoad", 1},
    {"cuModuleLoadData", 1}, {"cuModuleLoadDataEx", 1}, {"cuModuleLoadFatBinary", 1}, {"cuModuleUnload", 1},
    {"cuModuleGetFunction", 1}, {"cuModuleGetGlobal", 2}, {"cuModuleGetTexRef", 1}, {"cuModuleGetSurfRef", 1},
    {"cuMemGetInfo", 2}, {"cuMemAlloc", 2}, {"cuMemAllocPitch", 2}, {"cuMemFree", 2},
    {"cuMemGetAddressRange", 2}, {"cuMemAllocHost", 2}, {"cuMemFreeHost", 1}, {"cuMemHostAlloc", 1},
    {"cuMemHostGetDevicePointer", 2}, {"cuMemHostGetFlags", 1}, {"cuMemcpyHtoD", 2}, {"cuMemcpyDtoH", 2},
    {"cuMemcpyDtoD", 2}, {"cuMemcpyDtoA", 2}, {"cuMemcpyAtoD", 2}, {"cuMemcpyHtoA", 2}, {"cuMemcpyAtoH", 2},
    {"cuMemcpyAtoA", 2}, {"cuMemcpy2D", 2}, {"cuMemcpy2DUnaligned", 2}, {"cuMemcpy3D", 2},
    {"cuMemcpyHtoDAsync", 2}, {"cuMemcpyDtoHAsync", 2}, {"cuMemcpyDtoDAsync", 2}, {"cuMemcpyHtoAAsync", 2},
    {"cuMemcpyAtoHAsync", 2}, {"cuMemcpy2DAsync", 2}, {"cuMemcpy3DAsync", 2}, {"cuMemsetD8", 2},
    {"cuMemsetD16", 2}, {"cuMemsetD32", 2}, {"cuMemsetD2D8", 2}, {"cuMemsetD2D16", 2}, {"cuMemsetD2D32", 2},
    {"cuMemsetD8Async", 1}, {"cuMemsetD16Async", 1}, {"cuMemsetD32Async", 1}, {"cuMemsetD2D8Async", 1},
    {"cuMemsetD2D16Async", 1}, {"cuMemsetD2D32Async", 1}, {"cuArrayCreate", 2}, {"cuArrayGetDescriptor", 2},
    {"cuArrayDestroy", 1}, {"cuArray3DCreate", 2}, {"cuArray3DGetDescriptor", 2}, {"cuStreamCreate", 1},
    {"cuStreamCreateWithPriority", 1}, {"cuStreamGetPriority", 1}, {"cuStreamGetFlags", 1},
    {"cuStreamWaitEvent", 1}, {"cuStreamQuery", 1}, {"cuStreamSynchronize", 1}, {"cuEventCreate", 1},
    {"cuEventRecord", 1}, {"cuEventQuery", 1}, {"cuEventSynchronize", 1}, {"cuEventElapsedTime", 1},
    {"cuFuncGetAttribute", 1}, {"cuFuncSetCacheConfig", 1}, {"cuFuncSetBlockShape", 1},
    {"cuFuncSetSharedSize", 1}, {"cuParamSetSize", 1}, {"cuParamSeti", 1}, {"cuParamSetf", 1},
    {"cuParamSetv", 1}, {"cuLaunch", 1}, {"cuLaunchGrid", 1}, {"cuLaunchGridAsync", 1},
    {"cuParamSetTexRef", 1}, {"cuTexRefSetArray", 1}, {"cuTexRefSetMipmappedArray", 1},
    {"cuTexRefSetAddress", 2}, {"cuTexRefSetAddress2D", 3}, {"cuTexRefSetFormat", 1},
    {"cuTexRefSetAddressMode", 1}, {"cuTexRefSetFilterMode", 1}, {"cuTexRefSetMipmapFilterMode", 1},
    {"cuTexRefSetMipmapLevelBias", 1}, {"cuTexRefSetMipmapLevelClamp", 1}, {"cuTexRefSetMaxAnisotropy", 1},
    {"cuTexRefSetBorderColor", 1}, {"cuTexRefSetFlags", 1}, {"cuTexRefGetAddress", 2}, {"cuTexRefGetArray", 1},
    {"cuTexRefGetMipmappedArray", 1}, {"cuTexRefGetAddressMode", 1}, {"cuTexRefGetFilterMode", 1},
    {"cuTexRefGetFormat", 1}, {"cuTexRefGetMipmapFilterMode", 1}, {"cuTexRefGetMipmapLevelBias", 1},
    {"cuTexRefGetMipmapLevelClamp", 1}, {"cuTexRefGetMaxAnisotropy", 1}, {"cuTexRefGetBorderColor", 1},
    {"cuTexRefGetFlags", 1}, {"cuTexRefCreate", 1}, {"cuTexRefDestroy", 1}, {"cuSurfRefSetArray", 1},
    {"cuSurfRefGetArray", 1}, {"cuGraphicsUnregisterResource", 1}, {"cuGraphicsSubResourceGetMappedArray", 1},
    {"cuGraphicsResourceGetMappedPointer", 2}, {"cuGraphicsResourceSetMapFlags", 2},
    {"cuGraphicsMapResources", 1}, {"cuGraphicsUnmapResources", 1}, {"cuGetExportTable", 1},
    };
    static const char* const backendOptional[] = {
        "cuLaunchKernel", "cuStreamBeginCapture_v2", "cuStreamEndCapture", "cuGraphInstantiateWithFlags",
        "cuGraphInstantiate_v2", "cuGraphLaunch", "cuGraphDestroy", "cuGraphExecDestroy", "cuFuncSetAttribute",
        "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent", "cuCtxGetCurrent",
        "cuCtxDestroy_v2", "cuCtxPushCurrent_v2", "cuCtxPopCurrent_v2", "cuStreamDestroy_v2", "cuEventDestroy_v2",
        "cuMemsetD8_v2", "cuMemsetD16_v2", "cuMemsetD32_v2", "cuMemsetD8Async", "cuMemsetD32Async",
        "cuLaunchHostFunc", "cuMemcpyAsync", "cuMemcpy", "cuStreamIsCapturing",
    };
    CHECK(sizeof required / sizeof required[0] == 136);
    int missing = 0;
    for (const auto& fn : required) {
        bool found = false;
        for (int v = fn.version; v >= 1 && !found; --v) {
            const std::string name = v >= 2 ? std::string(fn.name) + "_v" + std::to_string(v) : fn.name;
            found = dlsym(library, name.c_str()) != nullptr;
        }
        if (!found) {
            std::fprintf(stderr, "  required %s is missing\n", fn.name);
            ++missing;
        }
    }
    for (const char* name : backendOptional) {
        if (dlsym(library, name) == nullptr) {
            std::fprintf(stderr, "  %s is missing\n", name);
            ++missing;
        }
    }
    CHECK(missing == 0);
    // No per-thread-default-stream variants: LWJGL would otherwise report ptds support.
    CHECK(dlsym(library, "cuLaunchKernel_ptsz") == nullptr);
    // An unsupported function answers CUDA_ERROR_NOT_SUPPORTED.
    auto arrayCreate = reinterpret_cast<CUresult (*)(CUarray*, const CUDA_ARRAY_DESCRIPTOR*)>(
        dlsym(library, "cuArrayCreate_v2"));
    CUarray array;
    CUDA_ARRAY_DESCRIPTOR desc{};
    CK_IS(arrayCreate(&array, &desc), CUDA_ERROR_NOT_SUPPORTED);
}

void testDevice() {
    CUdeviceptr p;
    CK_IS(d.cuMemAlloc_v2(&p, 16), CUDA_ERROR_NOT_INITIALIZED);
    CK(d.cuInit(0));
    int version = 0, count = 0;
    CK(d.cuDriverGetVersion(&version));
    CHECK(version == 13000);
    CK(d.cuDeviceGetCount(&count));
    CHECK(count == 1);
    CUdevice dev;
    CK(d.cuDeviceGet(&dev, 0));
    CK_IS(d.cuDeviceGet(&dev, 1), CUDA_ERROR_INVALID_DEVICE);
    char name[256];
    CK(d.cuDeviceGetName(name, sizeof name, dev));
    CHECK(std::strcmp(name, "MorphServe CPU emulator") == 0);
    int major = 0, minor = 0;
    CK(d.cuDeviceComputeCapability(&major, &minor, dev));
    CHECK(major == 8 && minor == 6);
    const struct {
        CUdevice_attribute attr;
        int value;
    } attrs[] = {
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 8}, {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 6},
        {CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32}, {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 1},
        {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024}, {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, 49152},
        {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 98304}, {CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING, 1},
    };
    for (const auto& a : attrs) {
        int v = -1;
        CK(d.cuDeviceGetAttribute(&v, a.attr, dev));
        CHECK_MSG(v == a.value, "attribute %d is %d, expected %d", a.attr, v, a.value);
    }
    size_t total = 0;
    CK(d.cuDeviceTotalMem_v2(&total, dev));
    CHECK(total == (size_t(8) << 30));

    // Contexts: created current, per thread, primary shared.
    CUcontext none = reinterpret_cast<CUcontext>(1);
    CK(d.cuCtxGetCurrent(&none));
    CHECK(none == nullptr);
    CK_IS(d.cuMemAlloc_v2(&p, 16), CUDA_ERROR_INVALID_CONTEXT);
    CUcontext ctx;
    CK(d.cuCtxCreate_v2(&ctx, 0, dev));
    CUcontext current = nullptr;
    CK(d.cuCtxGetCurrent(&current));
    CHECK(current == ctx);
    CK(d.cuMemAlloc_v2(&p, 16));
    std::thread other([&] {
        CUdeviceptr q;
        CK_IS(d.cuMemAlloc_v2(&q, 16), CUDA_ERROR_INVALID_CONTEXT);  // no context on this thread yet
        CK(d.cuCtxSetCurrent(ctx));
        CK(d.cuMemAlloc_v2(&q, 16));
        CK(d.cuMemFree_v2(q));
    });
    other.join();
    CUcontext primary = nullptr, popped = nullptr;
    CK(d.cuDevicePrimaryCtxRetain(&primary, dev));
    CK(d.cuCtxPushCurrent_v2(primary));
    CK(d.cuMemFree_v2(p));
    CK(d.cuCtxPopCurrent_v2(&popped));
    CHECK(popped == primary);
    CK(d.cuDevicePrimaryCtxRelease_v2(dev));
    CK(d.cuCtxDestroy_v2(ctx));
    CK_IS(d.cuMemAlloc_v2(&p, 16), CUDA_ERROR_INVALID_CONTEXT);
}

// The protection of the page holding addr, from /proc/self/maps ("rw-p", "---p", ...).
std::string protectionAt(uintptr_t addr) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long lo, hi;
        char perms[8];
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) return perms;
    }
    return "unmapped";
}

// True when reading addr kills a forked child with SIGSEGV.
bool readFaults(uintptr_t addr) {
    const pid_t pid = fork();
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        const volatile char c = *reinterpret_cast<volatile const char*>(addr);
        (void)c;
        std::_Exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

void testMemory() {
    setup();
    size_t freeBefore, total, freeNow;
    CK(d.cuMemGetInfo_v2(&freeBefore, &total));
    CHECK(total == (size_t(8) << 30) && freeBefore == total);

    const CUdeviceptr p = alloc(1000);
    CHECK(p % 256 == 0);
    CK(d.cuMemGetInfo_v2(&freeNow, &total));
    CHECK(freeNow == freeBefore - 1000);
    // 0xFF everywhere: NaN as f32 and f16.
    const std::vector<uint8_t> bytes = download<uint8_t>(p, 1000);
    for (uint8_t b : bytes) CHECK(b == 0xFF);
    const std::vector<float> floats = download<float>(p, 250);
    CHECK(std::isnan(floats[0]) && std::isnan(floats[249]));
    // The allocation ends at the 256-byte boundary right before a guard page.
    CHECK(protectionAt(p + 999).substr(0, 2) == "rw");
    CHECK(protectionAt(p + 1024).substr(0, 3) == "---");
    CUdeviceptr base = 0;
    size_t size = 0;
    CK(d.cuMemGetAddressRange_v2(&base, &size, p + 500));
    CHECK(base == p && size == 1000);

    // A page-sized allocation has guards on both sides.
    const CUdeviceptr page = alloc(4096);
    CHECK(protectionAt(page - 1).substr(0, 3) == "---");
    CHECK(protectionAt(page + 4096).substr(0, 3) == "---");
    if (std::getenv("STANDIN_TEST_NO_FORK_FAULTS") == nullptr) {
        CHECK(readFaults(page + 4096));
        CHECK(readFaults(page - 1));
        CHECK(!readFaults(page));
    }

    CK(d.cuMemFree_v2(p));
    CK_IS(d.cuMemFree_v2(p), CUDA_ERROR_INVALID_VALUE);  // twice
    CK_IS(d.cuMemFree_v2(page + 8), CUDA_ERROR_INVALID_VALUE);  // not the start
    CK(d.cuMemFree_v2(page));
    CK(d.cuMemGetInfo_v2(&freeNow, &total));
    CHECK(freeNow == freeBefore);
    CUdeviceptr zero;
    CK_IS(d.cuMemAlloc_v2(&zero, 0), CUDA_ERROR_INVALID_VALUE);

    // Pinned host memory is not device memory.
    void* host = nullptr;
    CK(d.cuMemAllocHost_v2(&host, 100));
    CK_IS(d.cuMemFree_v2(reinterpret_cast<CUdeviceptr>(host)), CUDA_ERROR_INVALID_VALUE);
    CK(d.cuMemFreeHost(host));
}

void testOutOfMemory() {  // MORPHSERVE_STANDIN_MEMORY_BYTES=1m
    setup();
    size_t total = 0, freeBytes = 0;
    CK(d.cuDeviceTotalMem_v2(&total, 0));
    CHECK(total == (1u << 20));
    const CUdeviceptr a = alloc(600 * 1024);
    CUdeviceptr b;
    CK_IS(d.cuMemAlloc_v2(&b, 600 * 1024), CUDA_ERROR_OUT_OF_MEMORY);
    CK(d.cuMemGetInfo_v2(&freeBytes, &total));
    CHECK(freeBytes == (1u << 20) - 600 * 1024);
    CK(d.cuMemFree_v2(a));
    CK(d.cuMemAlloc_v2(&b, 600 * 1024));
    CK(d.cuMemFree_v2(b));
}

void testCopies() {
    setup();
    const size_t n = 1000;
    std::vector<float> src(n);
    for (size_t i = 0; i < n; ++i) src[i] = float(i) * 0.5f;
    const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4);
    upload(a, src);
    CK(d.cuMemcpyDtoD_v2(b, a, n * 4));
    CHECK(download<float>(b, n) == src);
    // Out of range: one float past the end, from either side.
    CK_IS(d.cuMemcpyHtoD_v2(a + 4, src.data(), n * 4), CUDA_ERROR_INVALID_VALUE);
    std::vector<float> sink(n + 1);
    CK_IS(d.cuMemcpyDtoH_v2(sink.data(), a, (n + 1) * 4), CUDA_ERROR_INVALID_VALUE);
    CK_IS(d.cuMemcpyHtoD_v2(0x1000, src.data(), 4), CUDA_ERROR_INVALID_VALUE);  // not device memory
    // Unified copies.
    std::vector<float> back(n);
    CK(d.cuMemcpy(reinterpret_cast<CUdeviceptr>(back.data()), b, n * 4));
    CHECK(back == src);
    // Memsets.
    CK(d.cuMemsetD32_v2(a, 0x3f800000u, n));  // 1.0f
    for (float v : download<float>(a, n)) CHECK(v == 1.0f);
    CK(d.cuMemsetD16_v2(a, 0x1234, 2 * n));
    for (uint16_t v : download<uint16_t>(a, 2 * n)) CHECK(v == 0x1234);
    CK(d.cuMemsetD8_v2(a + 1, 7, 3));
    const std::vector<uint8_t> head = download<uint8_t>(a, 5);
    CHECK(head[0] == 0x34 && head[1] == 7 && head[2] == 7 && head[3] == 7 && head[4] == 0x34);
    CK_IS(d.cuMemsetD32_v2(a + 2, 0, 1), CUDA_ERROR_INVALID_VALUE);  // misaligned
    CK_IS(d.cuMemsetD8_v2(a, 0, n * 4 + 1), CUDA_ERROR_INVALID_VALUE);  // too long
    // 2D: a 3 x 4 block of 16-byte rows out of a 32-byte pitch.
    CK(d.cuMemsetD2D32_v2(b, 32, 9, 4, 3));
    CUDA_MEMCPY2D c{};
    std::vector<uint32_t> rows(12, 0);
    c.srcMemoryType = CU_MEMORYTYPE_DEVICE;
    c.srcDevice = b;
    c.srcPitch = 32;
    c.dstMemoryType = CU_MEMORYTYPE_HOST;
    c.dstHost = rows.data();
    c.dstPitch = 16;
    c.WidthInBytes = 16;
    c.Height = 3;
    CK(d.cuMemcpy2D_v2(&c));
    for (uint32_t v : rows) CHECK(v == 9);
    CK(d.cuMemFree_v2(a));
    CK(d.cuMemFree_v2(b));
}

void testStreamsAndEvents() {
    setup();
    const CUfunction f = function(loadModule(selftestPtx), "standin_axpy_f32");
    const int n = 4096;
    float* in = pinned<float>(n);
    float* out = pinned<float>(n);
    for (int i = 0; i < n; ++i) in[i] = float(i), out[i] = -1;
    const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4);
    CUstream s1, s2;
    CK(d.cuStreamCreate(&s1, 0));
    CK(d.cuStreamCreate(&s2, 0));
    CUevent start, copied, done;
    CK(d.cuEventCreate(&start, 0));
    CK(d.cuEventCreate(&copied, 0));
    CK(d.cuEventCreate(&done, 0));
    CK(d.cuEventQuery(done));  // never recorded: complete

    Gate gate;
    CK(d.cuEventRecord(start, s1));
    CK(d.cuLaunchHostFunc(s1, Gate::wait, &gate));
    CK(d.cuMemcpyHtoDAsync_v2(a, in, n * 4, s1));
    CK(d.cuEventRecord(copied, s1));
    CK(d.cuStreamWaitEvent(s2, copied, 0));
    CK(axpy(f, s2, a, a, b, n, 2.0f));  // b = 3 a
    CK(d.cuMemcpyDtoHAsync_v2(out, b, n * 4, s2));
    CK(d.cuEventRecord(done, s2));

    // Nothing can have run past the gate.
    while (!gate.reached) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CK_IS(d.cuStreamQuery(s1), CUDA_ERROR_NOT_READY);
    CK_IS(d.cuStreamQuery(s2), CUDA_ERROR_NOT_READY);
    CK_IS(d.cuEventQuery(done), CUDA_ERROR_NOT_READY);
    float ms = 0;
    CK_IS(d.cuEventElapsedTime(&ms, start, done), CUDA_ERROR_NOT_READY);
    CHECK(out[0] == -1 && out[n - 1] == -1);
    gate.open = true;
    CK(d.cuEventSynchronize(done));
    CK(d.cuEventQuery(done));
    CK(d.cuStreamQuery(s2));
    for (int i = 0; i < n; ++i) CHECK_MSG(out[i] == 3.0f * i, "out[%d] = %g", i, out[i]);
    CK(d.cuEventElapsedTime(&ms, start, done));
    CHECK(ms >= 0.0f);
    CK(d.cuStreamSynchronize(s1));

    // Stream work runs on a worker thread, not the caller's.
    struct Where {
        std::thread::id id;
        static void CUDA_CB note(void* self) { static_cast<Where*>(self)->id = std::this_thread::get_id(); }
    } where;
    CK(d.cuLaunchHostFunc(s1, Where::note, &where));
    CK(d.cuStreamSynchronize(s1));
    CHECK(where.id != std::this_thread::get_id());

    // Async memset on a stream.
    CK(d.cuMemsetD32Async(b, 0, n, s1));
    CK(d.cuStreamSynchronize(s1));
    CHECK(download<float>(b, 1)[0] == 0.0f);

    CK(d.cuEventDestroy_v2(start));
    CK_IS(d.cuEventDestroy_v2(start), CUDA_ERROR_INVALID_HANDLE);
    CK(d.cuStreamDestroy_v2(s1));
    CK_IS(d.cuStreamSynchronize(s1), CUDA_ERROR_INVALID_HANDLE);
    CK(d.cuStreamDestroy_v2(s2));
    CK(d.cuMemFreeHost(in));
    CK(d.cuMemFreeHost(out));
}

// Host memory rules: async copies from pageable memory read it at the call; to pageable memory
// they complete before returning; with pinned memory they run when the stream gets to them.
void testHostMemoryRules() {
    setup();
    const int n = 256;
    const CUdeviceptr a = alloc(n * 4);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    std::vector<float> pageable(n, 1.0f);
    float* pin = pinned<float>(n);
    for (int i = 0; i < n; ++i) pin[i] = 1.0f;

    Gate gate;
    CK(d.cuLaunchHostFunc(s, Gate::wait, &gate));
    CK(d.cuMemcpyHtoDAsync_v2(a, pageable.data(), n * 4, s));
    pageable.assign(n, 2.0f);  // too late to matter: the source was read at the call
    gate.open = true;
    CK(d.cuStreamSynchronize(s));
    CHECK(download<float>(a, n)[n - 1] == 1.0f);

    Gate gate2;
    CK(d.cuLaunchHostFunc(s, Gate::wait, &gate2));
    CK(d.cuMemcpyHtoDAsync_v2(a, pin, n * 4, s));
    for (int i = 0; i < n; ++i) pin[i] = 3.0f;  // still in time: the copy has not run yet
    gate2.open = true;
    CK(d.cuStreamSynchronize(s));
    CHECK(download<float>(a, n)[n - 1] == 3.0f);

    std::vector<float> back(n, 0.0f);
    CK(d.cuMemcpyDtoHAsync_v2(back.data(), a, n * 4, s));
    CHECK(back[n - 1] == 3.0f);  // pageable destination: complete on return, no sync needed
    CK(d.cuStreamDestroy_v2(s));
    CK(d.cuMemFreeHost(pin));
}

// The legacy default stream waits for blocking streams, not for non-blocking ones.
void testLegacyStream() {
    setup();
    const CUdeviceptr a = alloc(64);
    const std::vector<float> v(16, 1.0f);
    for (unsigned flags : {0u, unsigned(CU_STREAM_NON_BLOCKING)}) {
        CUstream s;
        CK(d.cuStreamCreate(&s, flags));
        Gate gate;
        CK(d.cuLaunchHostFunc(s, Gate::wait, &gate));
        while (!gate.reached) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::atomic<bool> opened{false};
        std::thread opener([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            opened = true;
            gate.open = true;
        });
        upload(a, v);  // synchronous copy: legacy stream work
        const bool waited = opened.load();
        opener.join();
        CHECK_MSG(waited == (flags == 0), "legacy-stream copy %s for a %s stream", waited ? "waited" : "did not wait",
                  flags == 0 ? "blocking" : "non-blocking");
        CK(d.cuStreamSynchronize(s));
        CK(d.cuStreamDestroy_v2(s));
    }
}

void testSelftestKernels() {
    setup();
    const CUmodule m = loadModule(selftestPtx);
    // axpy on the legacy stream
    const int n = 1000;
    std::vector<float> x(n), y(n);
    for (int i = 0; i < n; ++i) x[i] = float(i), y[i] = float(2 * i);
    const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4), c = alloc(n * 4);
    upload(a, x);
    upload(b, y);
    CK(axpy(function(m, "standin_axpy_f32"), nullptr, a, b, c, n, 0.5f));
    const std::vector<float> r = download<float>(c, n);
    for (int i = 0; i < n; ++i) CHECK(r[i] == x[i] + 0.5f * y[i]);
    // A struct passed by value.
    {
        struct {
            double first;
            int second;
        } pair{1.5, 4};
        const CUdeviceptr out = alloc(8);
        void* params[] = {&pair, const_cast<CUdeviceptr*>(&out)};
        CK(d.cuLaunchKernel(function(m, "standin_pair"), 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr));
        CHECK(download<double>(out, 1)[0] == 6.0);
    }
    // Static shared memory, barriers, launch bounds.
    const CUfunction sum = function(m, "standin_block_sum");
    int attr = 0;
    CK(d.cuFuncGetAttribute(&attr, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, sum));
    CHECK(attr == 1024);
    CK(d.cuFuncGetAttribute(&attr, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, sum));
    CHECK(attr == 256);
    std::vector<float> in(4 * 256);
    for (size_t i = 0; i < in.size(); ++i) in[i] = float(i % 256);
    const CUdeviceptr din = alloc(in.size() * 4), dsum = alloc(4 * 4);
    upload(din, in);
    CUdeviceptr pin = din, psum = dsum;
    void* sp[] = {&pin, &psum};
    CK(d.cuLaunchKernel(sum, 4, 1, 1, 256, 1, 1, 0, nullptr, sp, nullptr));
    for (float v : download<float>(dsum, 4)) CHECK(v == 255.0f * 256 / 2);
    // Launch limits.
    CK_IS(d.cuLaunchKernel(sum, 4, 1, 1, 512, 1, 1, 0, nullptr, sp, nullptr), CUDA_ERROR_INVALID_VALUE);  // .maxntid
    const CUfunction ax = function(m, "standin_axpy_f32");
    CUdeviceptr pa = a, pb = b, pc = c;
    int nn = n;
    float scale = 1;
    void* ap[] = {&pa, &pb, &pc, &nn, &scale};
    CK_IS(d.cuLaunchKernel(ax, 1, 1, 1, 1025, 1, 1, 0, nullptr, ap, nullptr), CUDA_ERROR_INVALID_VALUE);
    CK_IS(d.cuLaunchKernel(ax, 1, 1, 1, 32, 32, 2, 0, nullptr, ap, nullptr), CUDA_ERROR_INVALID_VALUE);
    CK_IS(d.cuLaunchKernel(ax, 0, 1, 1, 32, 1, 1, 0, nullptr, ap, nullptr), CUDA_ERROR_INVALID_VALUE);
    CK_IS(d.cuLaunchKernel(ax, 1, 1, 1, 32, 1, 1, 49153, nullptr, ap, nullptr), CUDA_ERROR_INVALID_VALUE);
    CK(d.cuLaunchKernel(ax, 1, 1, 1, 32, 1, 1, 49152, nullptr, ap, nullptr));
    CK_IS(d.cuFuncSetAttribute(ax, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 98305), CUDA_ERROR_INVALID_VALUE);
    CK(d.cuFuncSetAttribute(ax, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 98304));
    CK(d.cuLaunchKernel(ax, 1, 1, 1, 32, 1, 1, 98304, nullptr, ap, nullptr));
    void* extra[] = {CU_LAUNCH_PARAM_END};
    CK_IS(d.cuLaunchKernel(ax, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, extra), CUDA_ERROR_NOT_SUPPORTED);
    CUfunction missing;
    CK_IS(d.cuModuleGetFunction(&missing, m, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
    CK(d.cuModuleUnload(m));
    CK_IS(d.cuLaunchKernel(ax, 1, 1, 1, 32, 1, 1, 0, nullptr, ap, nullptr), CUDA_ERROR_INVALID_HANDLE);
}

// The real module: every entry loads, and add_f32 runs from it.
void testProjectModule() {
    setup();
    const CUmodule m = loadModule(projectPtx);
    size_t entries = 0;
    for (size_t at = projectPtx.find(".entry "); at != std::string::npos; at = projectPtx.find(".entry ", at + 1)) {
        size_t begin = at + 7, end = projectPtx.find('(', begin);
        const std::string name = projectPtx.substr(begin, end - begin);
        CUfunction f;
        CK(d.cuModuleGetFunction(&f, m, name.c_str()));
        ++entries;
    }
    CHECK(entries > 0);
    std::fprintf(stderr, "  %zu entries of the project's PTX loaded\n", entries);
    const int n = 3000;
    std::vector<float> x(n), y(n);
    for (int i = 0; i < n; ++i) x[i] = float(i), y[i] = 1.0f - float(i) / 2;
    CUdeviceptr px = alloc(n * 4), py = alloc(n * 4);
    upload(px, x);
    upload(py, y);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    int nn = n;
    void* params[] = {&px, &py, &nn};
    CK(d.cuLaunchKernel(function(m, "add_f32"), (n + 255) / 256, 1, 1, 256, 1, 1, 0, s, params, nullptr));
    CK(d.cuStreamSynchronize(s));
    const std::vector<float> r = download<float>(px, n);
    for (int i = 0; i < n; ++i) CHECK(r[i] == x[i] + y[i]);
    CK(d.cuStreamDestroy_v2(s));
}

void testGraph() {
    setup();
    const CUfunction f = function(loadModule(selftestPtx), "standin_axpy_f32");
    const int n = 512;
    float* in = pinned<float>(n);
    float* out = pinned<float>(n);
    for (int i = 0; i < n; ++i) out[i] = -1;
    const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    float scale = 2.0f;
    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CUstreamCaptureStatus status;
    CK(d.cuStreamIsCapturing(s, &status));
    CHECK(status == CU_STREAM_CAPTURE_STATUS_ACTIVE);
    CK(d.cuMemcpyHtoDAsync_v2(a, in, n * 4, s));
    CK(axpy(f, s, a, a, b, n, scale));  // b = (1 + scale) a, scale copied now
    CK(d.cuMemcpyDtoHAsync_v2(out, b, n * 4, s));
    CUgraph graph = nullptr;
    CK(d.cuStreamEndCapture(s, &graph));
    CHECK(graph != nullptr);
    CK(d.cuStreamIsCapturing(s, &status));
    CHECK(status == CU_STREAM_CAPTURE_STATUS_NONE);
    CK(d.cuStreamSynchronize(s));
    CHECK(out[0] == -1);  // captured, not run
    scale = 100.0f;       // no effect on the graph

    CUgraphExec exec = nullptr, exec2 = nullptr;
    CK(d.cuGraphInstantiateWithFlags(&exec, graph, 0));
    char log[64];
    CUgraphNode errorNode;
    CK(d.cuGraphInstantiate_v2(&exec2, graph, &errorNode, log, sizeof log));
    for (int round = 1; round <= 3; ++round) {
        for (int i = 0; i < n; ++i) in[i] = float(i * round);
        CK(d.cuGraphLaunch(round == 2 ? exec2 : exec, s));
        CK(d.cuStreamSynchronize(s));
        for (int i = 0; i < n; ++i) CHECK_MSG(out[i] == 3.0f * i * round, "round %d: out[%d] = %g", round, i, out[i]);
    }
    CK(d.cuGraphExecDestroy(exec));
    CK(d.cuGraphExecDestroy(exec2));
    CK(d.cuGraphDestroy(graph));
    CK_IS(d.cuGraphLaunch(exec, s), CUDA_ERROR_INVALID_HANDLE);
    CK(d.cuStreamDestroy_v2(s));
}

// What may not happen while a stream captures: synchronous copies, the legacy stream, pageable
// async copies, synchronising the capturing stream. Each invalidates the capture.
void testCaptureRules() {
    setup();
    const CUdeviceptr a = alloc(64);
    std::vector<float> host(16, 1.0f);
    float* pin = pinned<float>(16);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    CUgraph graph;
    CUstreamCaptureStatus status;

    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CK_IS(d.cuMemcpyHtoD_v2(a, host.data(), 64), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CK(d.cuStreamIsCapturing(s, &status));
    CHECK(status == CU_STREAM_CAPTURE_STATUS_INVALIDATED);
    CK_IS(d.cuStreamEndCapture(s, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
    CHECK(graph == nullptr);

    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CK_IS(d.cuMemsetD32Async(a, 0, 16, nullptr), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);  // legacy stream
    CK_IS(d.cuStreamEndCapture(s, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);

    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CK_IS(d.cuMemcpyHtoDAsync_v2(a, host.data(), 64, s), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);  // pageable
    CK_IS(d.cuStreamEndCapture(s, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);

    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CK_IS(d.cuStreamSynchronize(s), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CK_IS(d.cuStreamEndCapture(s, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);

    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CUdeviceptr b;
    CK_IS(d.cuMemAlloc_v2(&b, 64), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CK_IS(d.cuStreamEndCapture(s, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);

    // Relaxed mode allows the unsafe calls.
    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_RELAXED));
    CK(d.cuMemcpyHtoD_v2(a, host.data(), 64));
    CK(d.cuMemcpyHtoDAsync_v2(a, pin, 64, s));
    CK(d.cuStreamEndCapture(s, &graph));
    CK(d.cuGraphDestroy(graph));

    // A global-mode capture on another thread forbids this thread's unsafe calls too.
    std::atomic<int> phase{0};
    std::thread capturer([&] {
        CK(d.cuCtxSetCurrent(nullptr));
        CUcontext ctx;
        CK(d.cuDevicePrimaryCtxRetain(&ctx, 0));
        CK(d.cuCtxSetCurrent(ctx));
        CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
        phase = 1;
        while (phase != 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        CUgraph g;
        CK_IS(d.cuStreamEndCapture(s, &g), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
    });
    while (phase != 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CK_IS(d.cuMemcpyHtoD_v2(a, host.data(), 64), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    phase = 2;
    capturer.join();

    CK_IS(d.cuStreamBeginCapture_v2(nullptr, CU_STREAM_CAPTURE_MODE_GLOBAL), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CK(d.cuStreamDestroy_v2(s));
}

std::string replaceOnce(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    CHECK_MSG(at != std::string::npos, "`%s` not in the PTX", from.c_str());
    return text.replace(at, from.size(), to);
}

// cuModuleLoadDataEx with an error log: the code and the log.
CUresult loadWithLog(const std::string& image, std::string* log) {
    char buffer[1024] = {};
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void* values[] = {buffer, reinterpret_cast<void*>(sizeof buffer)};
    CUmodule m = nullptr;
    const CUresult r = d.cuModuleLoadDataEx(&m, image.c_str(), 2, options, values);
    *log = buffer;
    return r;
}

void testModuleRefusal() {
    setup();
    std::string log;
    CK(loadWithLog(selftestPtx, &log));
    // A parameter whose size changed: 4 -> 8 bytes.
    CK_IS(loadWithLog(replaceOnce(selftestPtx, ".param .u32 standin_axpy_f32_param_3",
                                  ".param .u64 standin_axpy_f32_param_3"), &log),
          CUDA_ERROR_INVALID_IMAGE);
    CHECK_MSG(contains(log, "standin_axpy_f32 parameter 3") && contains(log, "8 bytes") &&
                  contains(log, "takes 4 bytes"),
              "log: %s", log.c_str());
    // A parameter fewer.
    CK_IS(loadWithLog(replaceOnce(selftestPtx, ",\n\t.param .f32 standin_axpy_f32_param_4", ""), &log),
          CUDA_ERROR_INVALID_IMAGE);
    CHECK_MSG(contains(log, "4 parameters in the PTX") && contains(log, "5 in its CPU build"), "log: %s", log.c_str());
    // A struct parameter of another size.
    CK_IS(loadWithLog(replaceOnce(selftestPtx, "standin_pair_param_0[16]", "standin_pair_param_0[24]"), &log),
          CUDA_ERROR_INVALID_IMAGE);
    CHECK_MSG(contains(log, "standin_pair parameter 0"), "log: %s", log.c_str());
    // An entry without a CPU build.
    CK_IS(loadWithLog(replaceOnce(selftestPtx, ".entry standin_busy(", ".entry standin_busy2("), &log),
          CUDA_ERROR_INVALID_IMAGE);
    CHECK_MSG(contains(log, "standin_busy2 has no CPU build"), "log: %s", log.c_str());
    // Binaries and non-PTX.
    CUmodule m;
    CK_IS(d.cuModuleLoadData(&m, "\x7f" "ELF\x02\x01\x01"), CUDA_ERROR_NO_BINARY_FOR_GPU);
    const unsigned char fatbin[] = {0x50, 0xed, 0x55, 0xba, 1, 0, 0x10, 0};
    CK_IS(d.cuModuleLoadData(&m, fatbin), CUDA_ERROR_NO_BINARY_FOR_GPU);
    CK_IS(d.cuModuleLoadData(&m, "hello"), CUDA_ERROR_INVALID_PTX);
}

// A failing kernel poisons the context: every later synchronising call reports it.
void testStickyError() {
    setup();
    const CUmodule m = loadModule(selftestPtx);
    const CUdeviceptr p = alloc(4);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    CUdeviceptr pp = p;
    void* params[] = {&pp};
    StderrCapture err;
    CK(d.cuLaunchKernel(function(m, "standin_divergent_barrier"), 1, 1, 1, 64, 1, 1, 0, s, params, nullptr));
    CK_IS(d.cuStreamSynchronize(s), CUDA_ERROR_LAUNCH_FAILED);
    CK_IS(d.cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
    CUdeviceptr q;
    CK_IS(d.cuMemAlloc_v2(&q, 4), CUDA_ERROR_LAUNCH_FAILED);
    CK_IS(d.cuLaunchKernel(function(m, "standin_divergent_barrier"), 1, 1, 1, 64, 1, 1, 0, s, params, nullptr),
          CUDA_ERROR_LAUNCH_FAILED);
    std::vector<int> v(1);
    CK_IS(d.cuMemcpyDtoH_v2(v.data(), p, 4), CUDA_ERROR_LAUNCH_FAILED);
    const std::string text = err.text();
    CHECK_MSG(contains(text, "standin_divergent_barrier") && contains(text, "CUDA_ERROR_LAUNCH_FAILED"), "stderr: %s",
              text.c_str());
}

// A kernel writing past the end of its buffer hits the guard page: CUDA_ERROR_LAUNCH_FAILED.
void testFault() {
    setup();
    const CUmodule m = loadModule(selftestPtx);
    const CUdeviceptr p = alloc(1000 * 4);
    CUdeviceptr pp = p;
    long long index = 1000 + 24 + 10;  // 4000 bytes, rounded to 4096; 40 bytes into the guard page
    float v = 1.0f;
    void* params[] = {&pp, &index, &v};
    StderrCapture err;
    // On the legacy stream the kernel has run (and failed) when the launch returns; as on a GPU,
    // the launch itself succeeds and the next synchronising call reports the failure.
    CK(d.cuLaunchKernel(function(m, "standin_store"), 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr));
    CK_IS(d.cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
    const std::string text = err.text();
    CHECK_MSG(contains(text, "SIGSEGV") && contains(text, "136 bytes past the end of the 4000-byte device allocation"),
              "stderr: %s", text.c_str());
}

// MORPHSERVE_STANDIN_SYNC=1: everything inline on the calling thread, same results.
void testSyncMode() {
    setup();
    const CUfunction f = function(loadModule(selftestPtx), "standin_axpy_f32");
    const int n = 300;
    float* in = pinned<float>(n);
    float* out = pinned<float>(n);
    for (int i = 0; i < n; ++i) in[i] = float(i);
    const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4);
    CUstream s;
    CK(d.cuStreamCreate(&s, 0));
    struct Where {
        std::thread::id id;
        static void CUDA_CB note(void* self) { static_cast<Where*>(self)->id = std::this_thread::get_id(); }
    } where;
    CK(d.cuLaunchHostFunc(s, Where::note, &where));
    CHECK(where.id == std::this_thread::get_id());  // ran inside the call
    CK(d.cuMemcpyHtoDAsync_v2(a, in, n * 4, s));
    CK(axpy(f, s, a, a, b, n, 1.0f));
    CK(d.cuMemcpyDtoHAsync_v2(out, b, n * 4, s));
    for (int i = 0; i < n; ++i) CHECK(out[i] == 2.0f * i);  // no synchronisation needed
    CUgraph graph;
    CUgraphExec exec;
    CK(d.cuStreamBeginCapture_v2(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CK(axpy(f, s, a, a, b, n, 3.0f));
    CK(d.cuMemcpyDtoHAsync_v2(out, b, n * 4, s));
    CK(d.cuStreamEndCapture(s, &graph));
    CHECK(out[1] == 2.0f);
    CK(d.cuGraphInstantiateWithFlags(&exec, graph, 0));
    CK(d.cuGraphLaunch(exec, s));
    CHECK(out[1] == 4.0f);
    CK(d.cuStreamSynchronize(s));
    CK(d.cuStreamDestroy_v2(s));
}

// The schedules of MORPHSERVE_STANDIN_SCHEDULE all give the same (exact) block sums.
void testSchedule() {
    setup();
    const CUfunction sum = function(loadModule(selftestPtx), "standin_block_sum");
    std::vector<float> in(8 * 256);
    for (size_t i = 0; i < in.size(); ++i) in[i] = float(i % 97);
    const CUdeviceptr din = alloc(in.size() * 4), dsum = alloc(8 * 4);
    upload(din, in);
    void* params[] = {const_cast<CUdeviceptr*>(&din), const_cast<CUdeviceptr*>(&dsum)};
    for (int round = 0; round < 3; ++round) {
        CK(d.cuLaunchKernel(sum, 8, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr));
        const std::vector<float> sums = download<float>(dsum, 8);
        for (int b = 0; b < 8; ++b) {
            float expected = 0;
            for (int t = 0; t < 256; ++t) expected += in[b * 256 + t];
            CHECK(sums[b] == expected);
        }
    }
}

// Several host threads, each with its own stream, waiting on each other's events: for TSan.
void testThreads() {
    const CUcontext ctx = setup();
    const CUfunction f = function(loadModule(selftestPtx), "standin_axpy_f32");
    constexpr int kThreads = 4, kRounds = 25, n = 256;
    std::vector<CUevent> events(kThreads);
    for (auto& e : events) CK(d.cuEventCreate(&e, CU_EVENT_DISABLE_TIMING));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            CK(d.cuCtxSetCurrent(ctx));
            CUstream s;
            CK(d.cuStreamCreate(&s, t % 2 ? CU_STREAM_NON_BLOCKING : 0));
            float* in = pinned<float>(n);
            float* out = pinned<float>(n);
            const CUdeviceptr a = alloc(n * 4), b = alloc(n * 4);
            for (int round = 0; round < kRounds; ++round) {
                for (int i = 0; i < n; ++i) in[i] = float(i + round + t);
                CK(d.cuStreamWaitEvent(s, events[(t + 1) % kThreads], 0));
                CK(d.cuMemcpyHtoDAsync_v2(a, in, n * 4, s));
                CK(axpy(f, s, a, a, b, n, float(t)));
                CK(d.cuMemcpyDtoHAsync_v2(out, b, n * 4, s));
                CK(d.cuEventRecord(events[t], s));
                CK(d.cuStreamSynchronize(s));
                for (int i = 0; i < n; ++i) CHECK(out[i] == float(i + round + t) * (1 + t));
            }
            CK(d.cuStreamDestroy_v2(s));
            CK(d.cuMemFree_v2(a));
            CK(d.cuMemFree_v2(b));
            CK(d.cuMemFreeHost(in));
            CK(d.cuMemFreeHost(out));
        });
    }
    for (auto& th : threads) th.join();
    CK(d.cuCtxSynchronize());
}

void testErrorNames() {
    const char* s = nullptr;
    CK(d.cuGetErrorName(CUDA_ERROR_OUT_OF_MEMORY, &s));
    CHECK(std::strcmp(s, "CUDA_ERROR_OUT_OF_MEMORY") == 0);
    CK(d.cuGetErrorName(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, &s));
    CHECK(std::strcmp(s, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED") == 0);
    CK(d.cuGetErrorString(CUDA_ERROR_LAUNCH_FAILED, &s));
    CHECK(std::strcmp(s, "unspecified launch failure") == 0);
    CK(d.cuGetErrorString(CUDA_ERROR_INVALID_VALUE, &s));
    CHECK(std::strcmp(s, "invalid argument") == 0);
    CK_IS(d.cuGetErrorName(static_cast<CUresult>(12345), &s), CUDA_ERROR_INVALID_VALUE);
}

// ---- driver ------------------------------------------------------------------------------------

struct Case {
    const char* name;
    void (*run)();
    std::vector<std::pair<const char*, const char*>> env;
    bool selftestPtx = false, projectPtx = false;
};

bool listed(const char* variable, const char* name) {
    const char* v = std::getenv(variable);
    if (v == nullptr) return false;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item == name) return true;
    }
    return false;
}

std::string readFile(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s LIBCUDA SELFTEST_PTX PROJECT_PTX\n", argv[0]);
        return 2;
    }
    libraryPath = argv[1];
    selftestPtx = readFile(argv[2]);
    projectPtx = readFile(argv[3]);
    const std::vector<Case> cases = {
        {"symbols", testSymbols, {}},
        {"error_names", testErrorNames, {}},
        {"device", testDevice, {}},
        {"memory", testMemory, {}},
        {"out_of_memory", testOutOfMemory, {{"MORPHSERVE_STANDIN_MEMORY_BYTES", "1m"}}},
        {"copies", testCopies, {}},
        {"streams_events", testStreamsAndEvents, {}, true},
        {"host_memory_rules", testHostMemoryRules, {}},
        {"legacy_stream", testLegacyStream, {}},
        {"selftest_kernels", testSelftestKernels, {}, true},
        {"project_module", testProjectModule, {}, false, true},
        {"graph", testGraph, {}, true},
        {"capture_rules", testCaptureRules, {}},
        {"module_refusal", testModuleRefusal, {}, true},
        {"sticky_error", testStickyError, {}, true},
        {"fault", testFault, {}, true},
        {"sync_mode", testSyncMode, {{"MORPHSERVE_STANDIN_SYNC", "1"}}, true},
        {"schedule_reversed", testSchedule, {{"MORPHSERVE_STANDIN_SCHEDULE", "reversed"}}, true},
        {"schedule_random", testSchedule, {{"MORPHSERVE_STANDIN_SCHEDULE", "random"}}, true},
        {"threads", testThreads, {}, true},
    };
    int failed = 0, passed = 0, skipped = 0;
    for (const Case& c : cases) {
        const char* reason = nullptr;
        if (listed("STANDIN_TEST_SKIP", c.name) || (std::getenv("STANDIN_TEST_ONLY") && !listed("STANDIN_TEST_ONLY", c.name))) {
            reason = "not selected";
        } else if (c.selftestPtx && selftestPtx.empty()) {
            reason = "no self-test PTX (nvcc missing?)";
        } else if (c.projectPtx && projectPtx.empty()) {
            reason = "no project PTX (nvcc missing?)";
        }
        if (reason != nullptr) {
            std::printf("SKIP %s: %s\n", c.name, reason);
            ++skipped;
            continue;
        }
        std::fflush(stdout);
        const auto t0 = std::chrono::steady_clock::now();
        const pid_t pid = fork();
        if (pid == 0) {
            for (auto& [k, v] : c.env) setenv(k, v, 1);
            load();
            c.run();
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            std::printf("PASS %s (%.0f ms)\n", c.name, ms);
            ++passed;
        } else {
            if (WIFSIGNALED(status)) {
                std::printf("FAIL %s (killed by signal %d)\n", c.name, WTERMSIG(status));
            } else {
                std::printf("FAIL %s (exit %d)\n", c.name, WEXITSTATUS(status));
            }
            ++failed;
        }
        std::fflush(stdout);
    }
    std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed == 0 ? 0 : 1;
}
