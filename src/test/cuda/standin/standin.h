// Internal declarations of the stand-in libcuda.so: a CUDA driver API over the CPU emulator.
// Each .cpp of this directory owns one concern; this header is what they share. It includes
// cuda.h for the driver API's types only: the exported functions are defined by their explicit
// (ABI) names in api.cpp, never through cuda.h's renaming macros.
#pragma once

#include <cuda.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "registry.h"

namespace standin {

// ---- configuration (env, read once by cuInit) ----------------------------------------------
struct Config {
    size_t totalMemory = size_t(8) << 30;  // MORPHSERVE_STANDIN_MEMORY_BYTES
    bool sync = false;                     // MORPHSERVE_STANDIN_SYNC=1
    int schedule = kScheduleInOrder;       // MORPHSERVE_STANDIN_SCHEDULE
    uint64_t seed = 1;                     // MORPHSERVE_STANDIN_SEED
    bool catchFaults = true;               // MORPHSERVE_STANDIN_CATCH_FAULTS=0 turns it off
};
const Config& config();
// Reads the environment; false (with a message on stderr) when a variable is malformed.
bool loadConfig();

// Prints "morphserve-standin: ..." to stderr.
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ---- device limits -------------------------------------------------------------------------
constexpr int kComputeMajor = 8;
constexpr int kComputeMinor = 6;
constexpr int kWarpSize = 32;
constexpr int kMaxThreadsPerBlock = 1024;
constexpr int kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {2147483647u, 65535u, 65535u};
constexpr size_t kSharedPerBlock = 48 * 1024;
constexpr size_t kSharedPerBlockOptin = 96 * 1024;
constexpr int kDriverVersion = 13000;
constexpr const char* kDeviceName = "MorphServe CPU emulator";

// ---- memory (memory.cpp) -------------------------------------------------------------------
enum class MemKind { Device, PinnedHost, RegisteredHost };
struct AllocInfo {
    uintptr_t base = 0;
    size_t size = 0;
    MemKind kind = MemKind::Device;
    unsigned flags = 0;
};
CUresult memAllocDevice(uintptr_t* out, size_t bytes);
CUresult memAllocHost(void** out, size_t bytes, unsigned flags);
CUresult memFree(uintptr_t p, MemKind expected);  // Device, or PinnedHost for cuMemFreeHost
CUresult memHostRegister(void* p, size_t bytes, unsigned flags);
CUresult memHostUnregister(void* p);
// The allocation holding [p, p + bytes) (bytes == 0: holding p), if any.
bool memFind(uintptr_t p, size_t bytes, AllocInfo* out);
void memInfo(size_t* freeBytes, size_t* totalBytes);
// Describes an address for fault messages ("12 bytes past the end of the 4096-byte allocation at 0x...").
std::string memDescribe(uintptr_t p);
// Device-memory checks for copies and memsets: INVALID_VALUE (with a message) when the range is not
// inside one device (or pinned, for unified copies) allocation.
CUresult checkDeviceRange(const char* api, uintptr_t p, size_t bytes);

// ---- contexts (api.cpp) --------------------------------------------------------------------
bool initialized();
// CUDA_SUCCESS when the calling thread has a live current context.
CUresult requireContext();

// ---- streams, events, graphs (streams.cpp) -------------------------------------------------
// One unit of stream-ordered work. Kernel launches, copies, memsets, event records and host
// functions are all Ops; a captured graph is a list of them.
struct Op {
    enum Kind { Kernel, Copy, Memset, EventRecord, EventWait, HostFunc };
    Kind kind = HostFunc;
    std::string what;                   // for messages: "kernel add_f32", "memcpy HtoD 4096 bytes"
    std::function<void()> run;          // the work; may throw (KernelError and friends)
};

struct Stream;
struct Event;
struct Graph {
    std::vector<Op> ops;
};
struct GraphExec {
    std::shared_ptr<const std::vector<Op>> ops;
};

void streamsInit();

// Stream handles 0, CU_STREAM_LEGACY and CU_STREAM_PER_THREAD all mean the legacy default stream.
CUresult streamCreate(CUstream* out, unsigned flags, int priority);
CUresult streamDestroy(CUstream h);
CUresult streamGetFlags(CUstream h, unsigned* flags);
CUresult streamGetPriority(CUstream h, int* priority);

// Enqueues op on stream h (or records it when h is capturing). On the legacy stream the op runs
// after every blocking stream has drained and has completed when this returns. `pageableSync`:
// the op must have completed on return even on a created stream (copies to pageable memory).
CUresult enqueue(CUstream h, Op op, bool pageableSync = false);
// A synchronous API call (cuMemcpyHtoD, cuMemsetD8, ...): runs op as a legacy-stream op.
CUresult runSynchronous(Op op);

CUresult streamSynchronize(CUstream h);
CUresult streamQuery(CUstream h);
CUresult streamWaitEvent(CUstream h, CUevent e, unsigned flags);
CUresult ctxSynchronize();

CUresult eventCreate(CUevent* out, unsigned flags);
CUresult eventDestroy(CUevent e);
CUresult eventRecord(CUevent e, CUstream h);
CUresult eventQuery(CUevent e);
CUresult eventSynchronize(CUevent e);
CUresult eventElapsed(float* ms, CUevent start, CUevent end);

CUresult captureBegin(CUstream h, CUstreamCaptureMode mode);
CUresult captureEnd(CUstream h, CUgraph* out);
CUresult captureStatus(CUstream h, CUstreamCaptureStatus* status);
// Called by APIs that CUDA forbids while a capture is in progress ("potentially unsafe" calls:
// synchronous copies and memsets, legacy-stream use, cuMemAlloc/cuMemFree in global mode).
// Returns CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and invalidates the offending captures.
CUresult captureForbids(const char* api);

// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED (capture invalidated) when h is capturing: for stream work
// a graph cannot hold, such as copies to or from pageable host memory.
CUresult rejectInCapture(CUstream h, const char* api);

CUresult graphInstantiate(CUgraphExec* out, CUgraph g);
CUresult graphDestroy(CUgraph g);
CUresult graphExecDestroy(CUgraphExec e);
CUresult graphLaunch(CUgraphExec e, CUstream h);

// The sticky error (CUDA_ERROR_LAUNCH_FAILED once a kernel failed or faulted), or CUDA_SUCCESS.
CUresult stickyError();
// Next seed for a Random-schedule launch (config seed mixed with a launch counter).
uint64_t nextLaunchSeed();

// ---- modules (module.cpp) ------------------------------------------------------------------
struct Function;
CUresult moduleLoadData(CUmodule* out, const void* image, std::string* log);
CUresult moduleLoadFile(CUmodule* out, const char* path);
CUresult moduleUnload(CUmodule m);
CUresult moduleGetFunction(CUfunction* out, CUmodule m, const char* name);
CUresult functionGetAttribute(int* value, CUfunction_attribute attr, CUfunction f);
CUresult functionSetAttribute(CUfunction f, CUfunction_attribute attr, int value);
CUresult functionSetCacheConfig(CUfunction f, int config);
CUresult launchKernel(CUfunction f, const unsigned grid[3], const unsigned block[3], unsigned sharedBytes,
                      CUstream h, void** params, void** extra);

}  // namespace standin
