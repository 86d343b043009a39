// cuGetErrorName / cuGetErrorString: the driver's names for every CUresult of CUDA 13's cuda.h,
// the driver's descriptions for the common ones and a description spelled from the name for the
// rest.
#include <cuda.h>

#include <cctype>
#include <map>
#include <string>

namespace {

struct ErrorText {
    const char* name;
    std::string text;
};

std::string fromName(const char* name) {
    std::string s(name);
    const std::string prefix = "CUDA_ERROR_";
    if (s.compare(0, prefix.size(), prefix) == 0) s = s.substr(prefix.size());
    for (char& c : s) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

const std::map<int, ErrorText>& table() {
    static const auto* t = [] {
        auto* m = new std::map<int, ErrorText>();
#define E(NAME) (*m)[NAME] = ErrorText{#NAME, fromName(#NAME)};
        E(CUDA_SUCCESS)
        E(CUDA_ERROR_INVALID_VALUE)
        E(CUDA_ERROR_OUT_OF_MEMORY)
        E(CUDA_ERROR_NOT_INITIALIZED)
        E(CUDA_ERROR_DEINITIALIZED)
        E(CUDA_ERROR_PROFILER_DISABLED)
        E(CUDA_ERROR_PROFILER_NOT_INITIALIZED)
        E(CUDA_ERROR_PROFILER_ALREADY_STARTED)
        E(CUDA_ERROR_PROFILER_ALREADY_STOPPED)
        E(CUDA_ERROR_STUB_LIBRARY)
        E(CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER)
        E(CUDA_ERROR_DEVICE_UNAVAILABLE)
        E(CUDA_ERROR_NO_DEVICE)
        E(CUDA_ERROR_INVALID_DEVICE)
        E(CUDA_ERROR_DEVICE_NOT_LICENSED)
        E(CUDA_ERROR_INVALID_IMAGE)
        E(CUDA_ERROR_INVALID_CONTEXT)
        E(CUDA_ERROR_CONTEXT_ALREADY_CURRENT)
        E(CUDA_ERROR_MAP_FAILED)
        E(CUDA_ERROR_UNMAP_FAILED)
        E(CUDA_ERROR_ARRAY_IS_MAPPED)
        E(CUDA_ERROR_ALREADY_MAPPED)
        E(CUDA_ERROR_NO_BINARY_FOR_GPU)
        E(CUDA_ERROR_ALREADY_ACQUIRED)
        E(CUDA_ERROR_NOT_MAPPED)
        E(CUDA_ERROR_NOT_MAPPED_AS_ARRAY)
        E(CUDA_ERROR_NOT_MAPPED_AS_POINTER)
        E(CUDA_ERROR_ECC_UNCORRECTABLE)
        E(CUDA_ERROR_UNSUPPORTED_LIMIT)
        E(CUDA_ERROR_CONTEXT_ALREADY_IN_USE)
        E(CUDA_ERROR_PEER_ACCESS_UNSUPPORTED)
        E(CUDA_ERROR_INVALID_PTX)
        E(CUDA_ERROR_INVALID_GRAPHICS_CONTEXT)
        E(CUDA_ERROR_NVLINK_UNCORRECTABLE)
        E(CUDA_ERROR_JIT_COMPILER_NOT_FOUND)
        E(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
        E(CUDA_ERROR_JIT_COMPILATION_DISABLED)
        E(CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY)
        E(CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC)
        E(CUDA_ERROR_CONTAINED)
        E(CUDA_ERROR_INVALID_SOURCE)
        E(CUDA_ERROR_FILE_NOT_FOUND)
        E(CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND)
        E(CUDA_ERROR_SHARED_OBJECT_INIT_FAILED)
        E(CUDA_ERROR_OPERATING_SYSTEM)
        E(CUDA_ERROR_INVALID_HANDLE)
        E(CUDA_ERROR_ILLEGAL_STATE)
        E(CUDA_ERROR_LOSSY_QUERY)
        E(CUDA_ERROR_NOT_FOUND)
        E(CUDA_ERROR_NOT_READY)
        E(CUDA_ERROR_ILLEGAL_ADDRESS)
        E(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
        E(CUDA_ERROR_LAUNCH_TIMEOUT)
        E(CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING)
        E(CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED)
        E(CUDA_ERROR_PEER_ACCESS_NOT_ENABLED)
        E(CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE)
        E(CUDA_ERROR_CONTEXT_IS_DESTROYED)
        E(CUDA_ERROR_ASSERT)
        E(CUDA_ERROR_TOO_MANY_PEERS)
        E(CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
        E(CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED)
        E(CUDA_ERROR_HARDWARE_STACK_ERROR)
        E(CUDA_ERROR_ILLEGAL_INSTRUCTION)
        E(CUDA_ERROR_MISALIGNED_ADDRESS)
        E(CUDA_ERROR_INVALID_ADDRESS_SPACE)
        E(CUDA_ERROR_INVALID_PC)
        E(CUDA_ERROR_LAUNCH_FAILED)
        E(CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE)
        E(CUDA_ERROR_TENSOR_MEMORY_LEAK)
        E(CUDA_ERROR_NOT_PERMITTED)
        E(CUDA_ERROR_NOT_SUPPORTED)
        E(CUDA_ERROR_SYSTEM_NOT_READY)
        E(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH)
        E(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)
        E(CUDA_ERROR_MPS_CONNECTION_FAILED)
        E(CUDA_ERROR_MPS_RPC_FAILURE)
        E(CUDA_ERROR_MPS_SERVER_NOT_READY)
        E(CUDA_ERROR_MPS_MAX_CLIENTS_REACHED)
        E(CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED)
        E(CUDA_ERROR_MPS_CLIENT_TERMINATED)
        E(CUDA_ERROR_CDP_NOT_SUPPORTED)
        E(CUDA_ERROR_CDP_VERSION_MISMATCH)
        E(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED)
        E(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED)
        E(CUDA_ERROR_STREAM_CAPTURE_MERGE)
        E(CUDA_ERROR_STREAM_CAPTURE_UNMATCHED)
        E(CUDA_ERROR_STREAM_CAPTURE_UNJOINED)
        E(CUDA_ERROR_STREAM_CAPTURE_ISOLATION)
        E(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT)
        E(CUDA_ERROR_CAPTURED_EVENT)
        E(CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD)
        E(CUDA_ERROR_TIMEOUT)
        E(CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE)
        E(CUDA_ERROR_EXTERNAL_DEVICE)
        E(CUDA_ERROR_INVALID_CLUSTER_SIZE)
        E(CUDA_ERROR_FUNCTION_NOT_LOADED)
        E(CUDA_ERROR_INVALID_RESOURCE_TYPE)
        E(CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION)
        E(CUDA_ERROR_KEY_ROTATION)
        E(CUDA_ERROR_UNKNOWN)
#undef E
        const std::pair<int, const char*> described[] = {
            {CUDA_SUCCESS, "no error"},
            {CUDA_ERROR_INVALID_VALUE, "invalid argument"},
            {CUDA_ERROR_OUT_OF_MEMORY, "out of memory"},
            {CUDA_ERROR_NOT_INITIALIZED, "initialization error"},
            {CUDA_ERROR_DEINITIALIZED, "driver shutting down"},
            {CUDA_ERROR_NO_DEVICE, "no CUDA-capable device is detected"},
            {CUDA_ERROR_INVALID_DEVICE, "invalid device ordinal"},
            {CUDA_ERROR_INVALID_IMAGE, "device kernel image is invalid"},
            {CUDA_ERROR_INVALID_CONTEXT, "invalid device context"},
            {CUDA_ERROR_NO_BINARY_FOR_GPU, "no kernel image is available for execution on the device"},
            {CUDA_ERROR_INVALID_PTX, "a PTX JIT compilation failed"},
            {CUDA_ERROR_FILE_NOT_FOUND, "file not found"},
            {CUDA_ERROR_INVALID_HANDLE, "invalid resource handle"},
            {CUDA_ERROR_ILLEGAL_STATE, "the operation cannot be performed in the present state"},
            {CUDA_ERROR_NOT_FOUND, "named symbol not found"},
            {CUDA_ERROR_NOT_READY, "device not ready"},
            {CUDA_ERROR_ILLEGAL_ADDRESS, "an illegal memory access was encountered"},
            {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "too many resources requested for launch"},
            {CUDA_ERROR_LAUNCH_FAILED, "unspecified launch failure"},
            {CUDA_ERROR_CONTEXT_IS_DESTROYED, "context is destroyed"},
            {CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED, "part or all of the requested memory range is already mapped"},
            {CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED, "pointer does not correspond to a registered memory region"},
            {CUDA_ERROR_NOT_SUPPORTED, "operation not supported"},
            {CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "operation not permitted when stream is capturing"},
            {CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "operation failed due to a previous error during capture"},
            {CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD,
             "attempt to terminate a thread-local capture sequence from another thread"},
            {CUDA_ERROR_UNKNOWN, "unknown error"},
        };
        for (auto& [code, text] : described) (*m)[code].text = text;
        return m;
    }();
    return *t;
}

}  // namespace

extern "C" {

CUresult cuGetErrorName(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    auto it = table().find(static_cast<int>(error));
    if (it == table().end()) {
        *pStr = nullptr;
        return CUDA_ERROR_INVALID_VALUE;
    }
    *pStr = it->second.name;
    return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    auto it = table().find(static_cast<int>(error));
    if (it == table().end()) {
        *pStr = nullptr;
        return CUDA_ERROR_INVALID_VALUE;
    }
    *pStr = it->second.text.c_str();
    return CUDA_SUCCESS;
}

}  // extern "C"
