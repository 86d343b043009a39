// The exported driver API entry points for memory, copies, memsets, streams, events, modules,
// launches and graphs (cuInit, devices and contexts are in device.cpp, error names in
// errors.cpp, the unsupported rest in unsupported.cpp).
//
// Every export is defined under the exact symbol LWJGL 3.3.6 resolves (cuMemAlloc_v2,
// cuMemcpyHtoD_v2, cuStreamDestroy_v2, ...) with that symbol's CUDA 12 ABI; cuda.h is included
// for types only, and where it declares the same symbol the compiler checks the signature.
//
// Copies follow CUDA's host-synchronisation rules: synchronous copies and memsets are
// legacy-stream work (complete on return); async copies from pageable host memory take a snapshot
// of the source at the call (CUDA stages them), async copies to pageable memory complete before
// the call returns, and only copies to or from pinned memory (cuMemHostAlloc, cuMemAllocHost,
// cuMemHostRegister) really run later on the stream, so reusing a pinned buffer too early shows
// up here as it would on a GPU.
#include <cinttypes>
#include <cstring>

#include "standin.h"

namespace standin {
namespace {

#define REQUIRE_CONTEXT()                                          \
    do {                                                           \
        if (CUresult r_ = requireContext(); r_ != CUDA_SUCCESS) return r_; \
    } while (0)

enum class Side { Device, Pinned, Pageable };

// Where p..p+n lives; INVALID_VALUE (with a message) when it starts in an allocation and runs
// past its end.
CUresult classify(const char* api, uintptr_t p, size_t n, Side* side) {
    AllocInfo a;
    if (!memFind(p, 0, &a)) {
        *side = Side::Pageable;
        return CUDA_SUCCESS;
    }
    if (CUresult r = checkDeviceRange(api, p, n); r != CUDA_SUCCESS) return r;
    *side = a.kind == MemKind::Device ? Side::Device : Side::Pinned;
    return CUDA_SUCCESS;
}

std::string describeCopy(const char* api, size_t n) {
    return std::string(api) + " (" + std::to_string(n) + " bytes)";
}

Op copyOp(const char* api, void* dst, const void* src, size_t n) {
    Op op;
    op.kind = Op::Copy;
    op.what = describeCopy(api, n);
    op.run = [dst, src, n] { std::memmove(dst, src, n); };
    return op;
}

// The source is read now (CUDA stages copies from pageable memory before returning).
Op stagedCopyOp(const char* api, void* dst, const void* src, size_t n) {
    auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(src),
                                                               static_cast<const unsigned char*>(src) + n);
    Op op;
    op.kind = Op::Copy;
    op.what = describeCopy(api, n);
    op.run = [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); };
    return op;
}

// A copy between two pointers of any kind (unified addressing).
CUresult copy(const char* api, uintptr_t dst, uintptr_t src, size_t n, bool async, CUstream h) {
    REQUIRE_CONTEXT();
    if (n == 0) return stickyError();
    if (dst == 0 || src == 0) return CUDA_ERROR_INVALID_VALUE;
    Side ds, ss;
    if (CUresult r = classify(api, dst, n, &ds); r != CUDA_SUCCESS) return r;
    if (CUresult r = classify(api, src, n, &ss); r != CUDA_SUCCESS) return r;
    void* d = reinterpret_cast<void*>(dst);
    const void* s = reinterpret_cast<const void*>(src);
    if (!async) return runSynchronous(copyOp(api, d, s, n));
    if (ss == Side::Pageable || ds == Side::Pageable) {
        if (CUresult r = rejectInCapture(h, api); r != CUDA_SUCCESS) {
            log("%s: a captured copy cannot use pageable host memory; use pinned memory", api);
            return r;
        }
    }
    if (ds == Side::Pageable) return enqueue(h, copyOp(api, d, s, n), true);
    if (ss == Side::Pageable) return enqueue(h, stagedCopyOp(api, d, s, n));
    return enqueue(h, copyOp(api, d, s, n));
}

// Copies whose one side the API names as device memory.
CUresult copyChecked(const char* api, uintptr_t dst, uintptr_t src, size_t n, bool dstDevice, bool srcDevice,
                     bool async, CUstream h) {
    REQUIRE_CONTEXT();
    if (dstDevice) {
        if (CUresult r = checkDeviceRange(api, dst, n); r != CUDA_SUCCESS) return r;
    }
    if (srcDevice) {
        if (CUresult r = checkDeviceRange(api, src, n); r != CUDA_SUCCESS) return r;
    }
    return copy(api, dst, src, n, async, h);
}

template <typename T>
Op memsetOp(const char* api, uintptr_t dst, size_t pitch, T value, size_t width, size_t height) {
    Op op;
    op.kind = Op::Memset;
    op.what = std::string(api) + " (" + std::to_string(width) + " x " + std::to_string(height) + " elements)";
    op.run = [dst, pitch, value, width, height] {
        for (size_t y = 0; y < height; ++y) {
            T* row = reinterpret_cast<T*>(dst + y * pitch);
            for (size_t x = 0; x < width; ++x) row[x] = value;
        }
    };
    return op;
}

// cuMemsetD{8,16,32}[2D][Async]: `width` elements per row, `height` rows `pitch` bytes apart.
template <typename T>
CUresult memset(const char* api, uintptr_t dst, size_t pitch, T value, size_t width, size_t height, bool async,
                CUstream h) {
    REQUIRE_CONTEXT();
    if (dst % sizeof(T) != 0 || (height > 1 && pitch < width * sizeof(T))) return CUDA_ERROR_INVALID_VALUE;
    if (width == 0 || height == 0) return stickyError();
    const size_t span = (height - 1) * pitch + width * sizeof(T);
    if (CUresult r = checkDeviceRange(api, dst, span); r != CUDA_SUCCESS) return r;
    Op op = memsetOp<T>(api, dst, pitch, value, width, height);
    return async ? enqueue(h, std::move(op)) : runSynchronous(std::move(op));
}

// One side of a 2D copy: its first byte and pitch.
CUresult side2D(const char* api, CUmemorytype type, const void* host, CUdeviceptr device, size_t x, size_t y,
                size_t pitch, size_t width, size_t height, uintptr_t* start, Side* side) {
    uintptr_t base;
    switch (type) {
        case CU_MEMORYTYPE_HOST: base = reinterpret_cast<uintptr_t>(host); break;
        case CU_MEMORYTYPE_DEVICE:
        case CU_MEMORYTYPE_UNIFIED: base = static_cast<uintptr_t>(device); break;
        default:
            log("%s: CUDA arrays are not supported", api);
            return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (base == 0 || (height > 1 && pitch < width)) return CUDA_ERROR_INVALID_VALUE;
    *start = base + y * pitch + x;
    const size_t span = (height - 1) * pitch + width;
    if (type == CU_MEMORYTYPE_DEVICE) {
        if (CUresult r = checkDeviceRange(api, *start, span); r != CUDA_SUCCESS) return r;
    }
    return classify(api, *start, span, side);
}

CUresult copy2D(const char* api, const CUDA_MEMCPY2D* p, bool async, CUstream h) {
    REQUIRE_CONTEXT();
    if (p == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const size_t w = p->WidthInBytes, rows = p->Height;
    if (w == 0 || rows == 0) return stickyError();
    uintptr_t src, dst;
    Side ss, ds;
    if (CUresult r = side2D(api, p->srcMemoryType, p->srcHost, p->srcDevice, p->srcXInBytes, p->srcY, p->srcPitch,
                            w, rows, &src, &ss);
        r != CUDA_SUCCESS) {
        return r;
    }
    if (CUresult r = side2D(api, p->dstMemoryType, p->dstHost, p->dstDevice, p->dstXInBytes, p->dstY, p->dstPitch,
                            w, rows, &dst, &ds);
        r != CUDA_SUCCESS) {
        return r;
    }
    const size_t sp = p->srcPitch, dp = p->dstPitch;
    Op op;
    op.kind = Op::Copy;
    op.what = std::string(api) + " (" + std::to_string(w) + " x " + std::to_string(rows) + " bytes)";
    if (async && ss == Side::Pageable) {
        auto staged = std::make_shared<std::vector<unsigned char>>(w * rows);
        for (size_t y = 0; y < rows; ++y) {
            std::memcpy(staged->data() + y * w, reinterpret_cast<const void*>(src + y * sp), w);
        }
        op.run = [dst, dp, w, rows, staged] {
            for (size_t y = 0; y < rows; ++y) std::memcpy(reinterpret_cast<void*>(dst + y * dp), staged->data() + y * w, w);
        };
    } else {
        op.run = [dst, dp, src, sp, w, rows] {
            for (size_t y = 0; y < rows; ++y) {
                std::memmove(reinterpret_cast<void*>(dst + y * dp), reinterpret_cast<const void*>(src + y * sp), w);
            }
        };
    }
    if (!async) return runSynchronous(std::move(op));
    if (ss == Side::Pageable || ds == Side::Pageable) {
        if (CUresult r = rejectInCapture(h, api); r != CUDA_SUCCESS) return r;
    }
    return enqueue(h, std::move(op), ds == Side::Pageable);
}

}  // namespace
}  // namespace standin

using namespace standin;

extern "C" {

// ---- memory ----

CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* totalBytes) {
    if (freeBytes == nullptr || totalBytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    REQUIRE_CONTEXT();
    memInfo(freeBytes, totalBytes);
    return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    REQUIRE_CONTEXT();
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    if (CUresult r = captureForbids("cuMemAlloc"); r != CUDA_SUCCESS) return r;
    uintptr_t p = 0;
    CUresult r = memAllocDevice(&p, bytes);
    if (r == CUDA_SUCCESS) *dptr = static_cast<CUdeviceptr>(p);
    return r;
}

CUresult cuMemAllocPitch_v2(CUdeviceptr* dptr, size_t* pitch, size_t widthBytes, size_t height,
                            unsigned int elementSizeBytes) {
    if (pitch == nullptr || widthBytes == 0 || height == 0) return CUDA_ERROR_INVALID_VALUE;
    if (elementSizeBytes != 4 && elementSizeBytes != 8 && elementSizeBytes != 16) return CUDA_ERROR_INVALID_VALUE;
    const size_t p = (widthBytes + 511) / 512 * 512;
    CUresult r = cuMemAlloc_v2(dptr, p * height);
    if (r == CUDA_SUCCESS) *pitch = p;
    return r;
}

CUresult cuMemFree_v2(CUdeviceptr dptr) {
    REQUIRE_CONTEXT();
    if (CUresult r = captureForbids("cuMemFree"); r != CUDA_SUCCESS) return r;
    // cuMemFree synchronises the device, so work still using the memory finishes first.
    if (CUresult r = ctxSynchronize(); r != CUDA_SUCCESS) return r;
    return memFree(static_cast<uintptr_t>(dptr), MemKind::Device);
}

CUresult cuMemGetAddressRange_v2(CUdeviceptr* base, size_t* size, CUdeviceptr dptr) {
    REQUIRE_CONTEXT();
    AllocInfo a;
    if (!memFind(static_cast<uintptr_t>(dptr), 0, &a)) return CUDA_ERROR_NOT_FOUND;
    if (base != nullptr) *base = static_cast<CUdeviceptr>(a.base);
    if (size != nullptr) *size = a.size;
    return CUDA_SUCCESS;
}

CUresult cuMemHostAlloc(void** pp, size_t bytes, unsigned int flags) {
    REQUIRE_CONTEXT();
    constexpr unsigned kKnown = CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_WRITECOMBINED;
    if ((flags & ~kKnown) != 0) return CUDA_ERROR_INVALID_VALUE;
    return memAllocHost(pp, bytes, flags);
}

CUresult cuMemAllocHost_v2(void** pp, size_t bytes) {
    REQUIRE_CONTEXT();
    return memAllocHost(pp, bytes, 0);
}

CUresult cuMemFreeHost(void* p) {
    REQUIRE_CONTEXT();
    if (CUresult r = ctxSynchronize(); r != CUDA_SUCCESS) return r;
    return memFree(reinterpret_cast<uintptr_t>(p), MemKind::PinnedHost);
}

CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr* dptr, void* p, unsigned int flags) {
    if (dptr == nullptr || flags != 0) return CUDA_ERROR_INVALID_VALUE;
    REQUIRE_CONTEXT();
    AllocInfo a;
    if (!memFind(reinterpret_cast<uintptr_t>(p), 0, &a) || a.kind == MemKind::Device) return CUDA_ERROR_INVALID_VALUE;
    *dptr = reinterpret_cast<CUdeviceptr>(p);  // unified addressing: the same address
    return CUDA_SUCCESS;
}

CUresult cuMemHostGetFlags(unsigned int* flags, void* p) {
    if (flags == nullptr) return CUDA_ERROR_INVALID_VALUE;
    REQUIRE_CONTEXT();
    AllocInfo a;
    if (!memFind(reinterpret_cast<uintptr_t>(p), 0, &a) || a.kind != MemKind::PinnedHost) return CUDA_ERROR_INVALID_VALUE;
    *flags = a.flags;
    return CUDA_SUCCESS;
}

CUresult cuMemHostRegister_v2(void* p, size_t bytes, unsigned int flags) {
    REQUIRE_CONTEXT();
    return memHostRegister(p, bytes, flags);
}

CUresult cuMemHostUnregister(void* p) {
    REQUIRE_CONTEXT();
    if (CUresult r = ctxSynchronize(); r != CUDA_SUCCESS) return r;
    return memHostUnregister(p);
}

CUresult cuPointerGetAttribute(void* data, CUpointer_attribute attribute, CUdeviceptr ptr) {
    if (data == nullptr) return CUDA_ERROR_INVALID_VALUE;
    REQUIRE_CONTEXT();
    AllocInfo a;
    if (!memFind(static_cast<uintptr_t>(ptr), 0, &a)) return CUDA_ERROR_INVALID_VALUE;
    const bool device = a.kind == MemKind::Device;
    switch (attribute) {
        case CU_POINTER_ATTRIBUTE_CONTEXT: {
            CUcontext ctx = nullptr;
            cuCtxGetCurrent(&ctx);
            *static_cast<CUcontext*>(data) = ctx;
            return CUDA_SUCCESS;
        }
        case CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
            *static_cast<unsigned*>(data) = device ? CU_MEMORYTYPE_DEVICE : CU_MEMORYTYPE_HOST;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_DEVICE_POINTER: *static_cast<CUdeviceptr*>(data) = ptr; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_HOST_POINTER:
            if (device) return CUDA_ERROR_INVALID_VALUE;
            *static_cast<void**>(data) = reinterpret_cast<void*>(ptr);
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_IS_MANAGED: *static_cast<unsigned*>(data) = 0; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: *static_cast<int*>(data) = 0; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR: *static_cast<CUdeviceptr*>(data) = a.base; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_RANGE_SIZE: *static_cast<size_t*>(data) = a.size; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_MAPPED: *static_cast<int*>(data) = 1; return CUDA_SUCCESS;
        default: return CUDA_ERROR_NOT_SUPPORTED;
    }
}

// ---- copies ----

CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    return copy("cuMemcpy", dst, src, n, false, nullptr);
}

CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream h) {
    return copy("cuMemcpyAsync", dst, src, n, true, h);
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    return copyChecked("cuMemcpyHtoD", dst, reinterpret_cast<uintptr_t>(src), n, true, false, false, nullptr);
}

CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    return copyChecked("cuMemcpyDtoH", reinterpret_cast<uintptr_t>(dst), src, n, false, true, false, nullptr);
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    return copyChecked("cuMemcpyDtoD", dst, src, n, true, true, false, nullptr);
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream h) {
    return copyChecked("cuMemcpyHtoDAsync", dst, reinterpret_cast<uintptr_t>(src), n, true, false, true, h);
}

CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream h) {
    return copyChecked("cuMemcpyDtoHAsync", reinterpret_cast<uintptr_t>(dst), src, n, false, true, true, h);
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream h) {
    return copyChecked("cuMemcpyDtoDAsync", dst, src, n, true, true, true, h);
}

CUresult cuMemcpy2D_v2(const CUDA_MEMCPY2D* p) { return copy2D("cuMemcpy2D", p, false, nullptr); }

CUresult cuMemcpy2DUnaligned_v2(const CUDA_MEMCPY2D* p) { return copy2D("cuMemcpy2DUnaligned", p, false, nullptr); }

CUresult cuMemcpy2DAsync_v2(const CUDA_MEMCPY2D* p, CUstream h) { return copy2D("cuMemcpy2DAsync", p, true, h); }

// ---- memsets ----

CUresult cuMemsetD8_v2(CUdeviceptr d, unsigned char v, size_t n) {
    return memset<uint8_t>("cuMemsetD8", d, n, v, n, 1, false, nullptr);
}
CUresult cuMemsetD16_v2(CUdeviceptr d, unsigned short v, size_t n) {
    return memset<uint16_t>("cuMemsetD16", d, n * 2, v, n, 1, false, nullptr);
}
CUresult cuMemsetD32_v2(CUdeviceptr d, unsigned int v, size_t n) {
    return memset<uint32_t>("cuMemsetD32", d, n * 4, v, n, 1, false, nullptr);
}
CUresult cuMemsetD2D8_v2(CUdeviceptr d, size_t pitch, unsigned char v, size_t w, size_t h) {
    return memset<uint8_t>("cuMemsetD2D8", d, pitch, v, w, h, false, nullptr);
}
CUresult cuMemsetD2D16_v2(CUdeviceptr d, size_t pitch, unsigned short v, size_t w, size_t h) {
    return memset<uint16_t>("cuMemsetD2D16", d, pitch, v, w, h, false, nullptr);
}
CUresult cuMemsetD2D32_v2(CUdeviceptr d, size_t pitch, unsigned int v, size_t w, size_t h) {
    return memset<uint32_t>("cuMemsetD2D32", d, pitch, v, w, h, false, nullptr);
}
CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream s) {
    return memset<uint8_t>("cuMemsetD8Async", d, n, v, n, 1, true, s);
}
CUresult cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, CUstream s) {
    return memset<uint16_t>("cuMemsetD16Async", d, n * 2, v, n, 1, true, s);
}
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned int v, size_t n, CUstream s) {
    return memset<uint32_t>("cuMemsetD32Async", d, n * 4, v, n, 1, true, s);
}
CUresult cuMemsetD2D8Async(CUdeviceptr d, size_t pitch, unsigned char v, size_t w, size_t h, CUstream s) {
    return memset<uint8_t>("cuMemsetD2D8Async", d, pitch, v, w, h, true, s);
}
CUresult cuMemsetD2D16Async(CUdeviceptr d, size_t pitch, unsigned short v, size_t w, size_t h, CUstream s) {
    return memset<uint16_t>("cuMemsetD2D16Async", d, pitch, v, w, h, true, s);
}
CUresult cuMemsetD2D32Async(CUdeviceptr d, size_t pitch, unsigned int v, size_t w, size_t h, CUstream s) {
    return memset<uint32_t>("cuMemsetD2D32Async", d, pitch, v, w, h, true, s);
}

// ---- streams ----

CUresult cuStreamCreate(CUstream* ph, unsigned int flags) {
    REQUIRE_CONTEXT();
    return streamCreate(ph, flags, 0);
}

CUresult cuStreamCreateWithPriority(CUstream* ph, unsigned int flags, int priority) {
    REQUIRE_CONTEXT();
    // Clamped to the range cuCtxGetStreamPriorityRange reports, as CUDA does.
    if (priority > 0) priority = 0;
    if (priority < -5) priority = -5;
    return streamCreate(ph, flags, priority);
}

CUresult cuStreamGetPriority(CUstream h, int* priority) {
    REQUIRE_CONTEXT();
    return streamGetPriority(h, priority);
}

CUresult cuStreamGetFlags(CUstream h, unsigned int* flags) {
    REQUIRE_CONTEXT();
    return streamGetFlags(h, flags);
}

CUresult cuStreamDestroy_v2(CUstream h) {
    REQUIRE_CONTEXT();
    return streamDestroy(h);
}

CUresult cuStreamWaitEvent(CUstream h, CUevent e, unsigned int flags) {
    REQUIRE_CONTEXT();
    return streamWaitEvent(h, e, flags);
}

CUresult cuStreamQuery(CUstream h) {
    REQUIRE_CONTEXT();
    return streamQuery(h);
}

CUresult cuStreamSynchronize(CUstream h) {
    REQUIRE_CONTEXT();
    return streamSynchronize(h);
}

CUresult cuLaunchHostFunc(CUstream h, CUhostFn fn, void* userData) {
    REQUIRE_CONTEXT();
    if (fn == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Op op;
    op.kind = Op::HostFunc;
    op.what = "host function";
    op.run = [fn, userData] { fn(userData); };
    return enqueue(h, std::move(op));
}

CUresult cuStreamBeginCapture_v2(CUstream h, CUstreamCaptureMode mode) {
    REQUIRE_CONTEXT();
    return captureBegin(h, mode);
}

#pragma push_macro("cuStreamBeginCapture")
#undef cuStreamBeginCapture
CUresult cuStreamBeginCapture(CUstream h) {  // the CUDA 10.0 form: global mode
    REQUIRE_CONTEXT();
    return captureBegin(h, CU_STREAM_CAPTURE_MODE_GLOBAL);
}
#pragma pop_macro("cuStreamBeginCapture")

CUresult cuStreamEndCapture(CUstream h, CUgraph* graph) {
    REQUIRE_CONTEXT();
    return captureEnd(h, graph);
}

CUresult cuStreamIsCapturing(CUstream h, CUstreamCaptureStatus* status) {
    REQUIRE_CONTEXT();
    return captureStatus(h, status);
}

// ---- events ----

CUresult cuEventCreate(CUevent* ph, unsigned int flags) {
    REQUIRE_CONTEXT();
    return eventCreate(ph, flags);
}

CUresult cuEventDestroy_v2(CUevent e) {
    REQUIRE_CONTEXT();
    return eventDestroy(e);
}

CUresult cuEventRecord(CUevent e, CUstream h) {
    REQUIRE_CONTEXT();
    return eventRecord(e, h);
}

CUresult cuEventQuery(CUevent e) {
    REQUIRE_CONTEXT();
    return eventQuery(e);
}

CUresult cuEventSynchronize(CUevent e) {
    REQUIRE_CONTEXT();
    return eventSynchronize(e);
}

#pragma push_macro("cuEventElapsedTime")
#undef cuEventElapsedTime
CUresult cuEventElapsedTime(float* ms, CUevent start, CUevent end) {  // CUDA 12's; cuda.h 13 renames it
    REQUIRE_CONTEXT();
    return eventElapsed(ms, start, end);
}
#pragma pop_macro("cuEventElapsedTime")

// ---- modules and launches ----

CUresult cuModuleLoad(CUmodule* module, const char* fname) {
    REQUIRE_CONTEXT();
    return moduleLoadFile(module, fname);
}

CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    REQUIRE_CONTEXT();
    std::string message;
    return moduleLoadData(module, image, &message);
}

CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int numOptions, CUjit_option* options,
                            void** optionValues) {
    REQUIRE_CONTEXT();
    if (numOptions != 0 && (options == nullptr || optionValues == nullptr)) return CUDA_ERROR_INVALID_VALUE;
    std::string message;
    const CUresult r = moduleLoadData(module, image, &message);
    // The JIT log buffers: the error log gets the reason of a refusal; sizes are written back.
    char* logs[2] = {nullptr, nullptr};
    size_t sizes[2] = {0, 0};
    int sizeIndex[2] = {-1, -1};
    for (unsigned i = 0; i < numOptions; ++i) {
        const auto value = reinterpret_cast<uintptr_t>(optionValues[i]);
        switch (options[i]) {
            case CU_JIT_INFO_LOG_BUFFER: logs[0] = reinterpret_cast<char*>(value); break;
            case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES: sizes[0] = value, sizeIndex[0] = static_cast<int>(i); break;
            case CU_JIT_ERROR_LOG_BUFFER: logs[1] = reinterpret_cast<char*>(value); break;
            case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES: sizes[1] = value, sizeIndex[1] = static_cast<int>(i); break;
            default: break;  // optimisation level, targets, ...: nothing to do on the emulator
        }
    }
    const std::string texts[2] = {"", r == CUDA_SUCCESS ? "" : message};
    for (int k = 0; k < 2; ++k) {
        if (logs[k] == nullptr || sizes[k] == 0) continue;
        const size_t n = std::min(texts[k].size(), sizes[k] - 1);
        std::memcpy(logs[k], texts[k].data(), n);
        logs[k][n] = '\0';
        optionValues[sizeIndex[k]] = reinterpret_cast<void*>(static_cast<uintptr_t>(n));
    }
    return r;
}

CUresult cuModuleLoadFatBinary(CUmodule* module, const void* fatCubin) {
    REQUIRE_CONTEXT();
    (void)module;
    (void)fatCubin;
    log("cuModuleLoadFatBinary: the stand-in device (compute 8.6) runs PTX only");
    return CUDA_ERROR_NO_BINARY_FOR_GPU;
}

CUresult cuModuleUnload(CUmodule module) {
    REQUIRE_CONTEXT();
    return moduleUnload(module);
}

CUresult cuModuleGetFunction(CUfunction* f, CUmodule module, const char* name) {
    REQUIRE_CONTEXT();
    return moduleGetFunction(f, module, name);
}

CUresult cuModuleGetGlobal_v2(CUdeviceptr* dptr, size_t* bytes, CUmodule module, const char* name) {
    REQUIRE_CONTEXT();
    (void)dptr;
    (void)bytes;
    (void)module;
    log("cuModuleGetGlobal(%s): module globals are not supported by the stand-in", name ? name : "(null)");
    return CUDA_ERROR_NOT_FOUND;
}

CUresult cuFuncGetAttribute(int* value, CUfunction_attribute attr, CUfunction f) {
    REQUIRE_CONTEXT();
    return functionGetAttribute(value, attr, f);
}

CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute attr, int value) {
    REQUIRE_CONTEXT();
    return functionSetAttribute(f, attr, value);
}

CUresult cuFuncSetCacheConfig(CUfunction f, CUfunc_cache config) {
    REQUIRE_CONTEXT();
    if (static_cast<int>(config) < 0 || config > CU_FUNC_CACHE_PREFER_EQUAL) return CUDA_ERROR_INVALID_VALUE;
    return functionSetCacheConfig(f, config);
}

CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                        unsigned int by, unsigned int bz, unsigned int sharedBytes, CUstream h, void** kernelParams,
                        void** extra) {
    REQUIRE_CONTEXT();
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    const unsigned grid[3] = {gx, gy, gz};
    const unsigned block[3] = {bx, by, bz};
    return launchKernel(f, grid, block, sharedBytes, h, kernelParams, extra);
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* numBlocks, CUfunction f, int blockSize,
                                                              size_t dynamicSMemSize, unsigned int flags) {
    REQUIRE_CONTEXT();
    (void)flags;
    if (numBlocks == nullptr || blockSize <= 0) return CUDA_ERROR_INVALID_VALUE;
    int maxThreads = 0, staticShared = 0;
    if (CUresult r = functionGetAttribute(&maxThreads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, f); r != CUDA_SUCCESS) {
        return r;
    }
    functionGetAttribute(&staticShared, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f);
    if (blockSize > maxThreads) {
        *numBlocks = 0;
        return CUDA_SUCCESS;
    }
    const int warps = (blockSize + kWarpSize - 1) / kWarpSize;
    int blocks = std::min(16, 32 / warps);  // 16 blocks, 32 warps per SM
    const size_t shared = static_cast<size_t>(staticShared) + dynamicSMemSize;
    if (shared > 0) blocks = std::min<int>(blocks, static_cast<int>(kSharedPerBlockOptin / shared));
    *numBlocks = blocks;
    return CUDA_SUCCESS;
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* numBlocks, CUfunction f, int blockSize,
                                                     size_t dynamicSMemSize) {
    return cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, f, blockSize, dynamicSMemSize, 0);
}

// ---- graphs ----

CUresult cuGraphInstantiateWithFlags(CUgraphExec* exec, CUgraph graph, unsigned long long flags) {
    REQUIRE_CONTEXT();
    constexpr unsigned long long kKnown = CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH |
                                          CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD |
                                          CUDA_GRAPH_INSTANTIATE_FLAG_USE_NODE_PRIORITY;
    if ((flags & ~kKnown) != 0) return CUDA_ERROR_INVALID_VALUE;
    return graphInstantiate(exec, graph);
}

#pragma push_macro("cuGraphInstantiate")
#undef cuGraphInstantiate
// The CUDA 11 form LWJGL binds (error node and log buffer), exported under both of its names.
CUresult cuGraphInstantiate_v2(CUgraphExec* exec, CUgraph graph, CUgraphNode* errorNode, char* logBuffer,
                               size_t bufferSize) {
    REQUIRE_CONTEXT();
    if (errorNode != nullptr) *errorNode = nullptr;
    if (logBuffer != nullptr && bufferSize > 0) logBuffer[0] = '\0';
    return graphInstantiate(exec, graph);
}

CUresult cuGraphInstantiate(CUgraphExec* exec, CUgraph graph, CUgraphNode* errorNode, char* logBuffer,
                            size_t bufferSize) {
    return cuGraphInstantiate_v2(exec, graph, errorNode, logBuffer, bufferSize);
}
#pragma pop_macro("cuGraphInstantiate")

CUresult cuGraphLaunch(CUgraphExec exec, CUstream h) {
    REQUIRE_CONTEXT();
    return graphLaunch(exec, h);
}

CUresult cuGraphDestroy(CUgraph graph) {
    REQUIRE_CONTEXT();
    return graphDestroy(graph);
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
    REQUIRE_CONTEXT();
    return graphExecDestroy(exec);
}

}  // extern "C"
