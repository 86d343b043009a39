// Device and pinned host memory. Every allocation gets fresh pages from mmap between two
// PROT_NONE guard pages; the returned pointer is 256-byte aligned and placed so that the
// allocation ends as close to the guard page after it as the alignment allows, so overruns
// fault. The bytes start as 0xFF (NaN as f32, f16 and bf16; -1 as integers) so that code reading
// memory it never wrote sees NaNs rather than convenient zeros.
#include "standin.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cinttypes>
#include <cstring>
#include <map>

namespace standin {
namespace {

constexpr size_t kAlign = 256;

struct Record {
    AllocInfo info;
    uintptr_t mapStart = 0;  // 0 for registered host ranges (not ours to unmap)
    size_t mapLen = 0;
};

struct Table {
    std::mutex mu;
    std::map<uintptr_t, Record> byBase;  // keyed by AllocInfo::base
    size_t deviceBytes = 0;              // sum of device allocation sizes as requested
};

Table& table() {
    static auto* t = new Table();  // never destroyed (workers may outlive static destruction)
    return *t;
}

size_t pageSize() {
    static const size_t p = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return p;
}

size_t roundUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Maps [guard][data][guard] and returns the user pointer inside data.
bool mapGuarded(size_t bytes, Record* rec) {
    const size_t page = pageSize();
    const size_t rounded = roundUp(bytes, kAlign);
    const size_t dataLen = roundUp(rounded, page);
    if (dataLen < rounded || dataLen > SIZE_MAX - 2 * page) return false;
    const size_t mapLen = dataLen + 2 * page;
    void* m = mmap(nullptr, mapLen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return false;
    auto* start = static_cast<unsigned char*>(m);
    if (mprotect(start + page, dataLen, PROT_READ | PROT_WRITE) != 0) {
        munmap(m, mapLen);
        return false;
    }
    std::memset(start + page, 0xFF, dataLen);
    rec->mapStart = reinterpret_cast<uintptr_t>(start);
    rec->mapLen = mapLen;
    rec->info.base = reinterpret_cast<uintptr_t>(start + page + dataLen - rounded);
    rec->info.size = bytes;
    return true;
}

// The record holding p (inside [base, base + size], or anywhere in its mapping when `mapping`).
Record* findLocked(Table& t, uintptr_t p, bool mapping) {
    if (t.byBase.empty()) return nullptr;
    if (mapping) {
        for (auto& [base, rec] : t.byBase) {
            if (rec.mapLen != 0 && p >= rec.mapStart && p - rec.mapStart < rec.mapLen) return &rec;
        }
        return nullptr;
    }
    auto it = t.byBase.upper_bound(p);
    if (it == t.byBase.begin()) return nullptr;
    --it;
    Record& rec = it->second;
    return p - rec.info.base <= rec.info.size ? &rec : nullptr;
}

const char* kindName(MemKind k) {
    switch (k) {
        case MemKind::Device: return "device";
        case MemKind::PinnedHost: return "pinned host";
        default: return "registered host";
    }
}

}  // namespace

CUresult memAllocDevice(uintptr_t* out, size_t bytes) {
    if (out == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    Table& t = table();
    {
        std::lock_guard<std::mutex> lock(t.mu);
        const size_t total = config().totalMemory;
        if (bytes > total || t.deviceBytes > total - bytes) {
            log("cuMemAlloc: %zu bytes do not fit: %zu of %zu bytes allocated", bytes, t.deviceBytes, total);
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        t.deviceBytes += bytes;  // reserved; released again if mmap fails
    }
    Record rec;
    rec.info.kind = MemKind::Device;
    if (!mapGuarded(bytes, &rec)) {
        std::lock_guard<std::mutex> lock(t.mu);
        t.deviceBytes -= bytes;
        log("cuMemAlloc: mmap of %zu bytes failed", bytes);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    std::lock_guard<std::mutex> lock(t.mu);
    t.byBase[rec.info.base] = rec;
    *out = rec.info.base;
    return CUDA_SUCCESS;
}

CUresult memAllocHost(void** out, size_t bytes, unsigned flags) {
    if (out == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    Record rec;
    rec.info.kind = MemKind::PinnedHost;
    rec.info.flags = flags;
    if (!mapGuarded(bytes, &rec)) return CUDA_ERROR_OUT_OF_MEMORY;
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    t.byBase[rec.info.base] = rec;
    *out = reinterpret_cast<void*>(rec.info.base);
    return CUDA_SUCCESS;
}

CUresult memFree(uintptr_t p, MemKind expected) {
    if (p == 0) return CUDA_SUCCESS;
    Table& t = table();
    Record rec;
    {
        std::lock_guard<std::mutex> lock(t.mu);
        auto it = t.byBase.find(p);
        if (it == t.byBase.end() || it->second.info.kind != expected) {
            log("%s(0x%" PRIxPTR "): not the start of a live %s allocation%s",
                expected == MemKind::Device ? "cuMemFree" : "cuMemFreeHost", p, kindName(expected),
                it == t.byBase.end() ? "" : " (it is another kind of memory)");
            return CUDA_ERROR_INVALID_VALUE;
        }
        rec = it->second;
        t.byBase.erase(it);
        if (expected == MemKind::Device) t.deviceBytes -= rec.info.size;
    }
    munmap(reinterpret_cast<void*>(rec.mapStart), rec.mapLen);
    return CUDA_SUCCESS;
}

CUresult memHostRegister(void* p, size_t bytes, unsigned flags) {
    if (p == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    const auto base = reinterpret_cast<uintptr_t>(p);
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    for (auto& [b, rec] : t.byBase) {
        if (base < rec.info.base + rec.info.size && rec.info.base < base + bytes) {
            return CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED;
        }
    }
    Record rec;
    rec.info = AllocInfo{base, bytes, MemKind::RegisteredHost, flags};
    t.byBase[base] = rec;
    return CUDA_SUCCESS;
}

CUresult memHostUnregister(void* p) {
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    auto it = t.byBase.find(reinterpret_cast<uintptr_t>(p));
    if (it == t.byBase.end() || it->second.info.kind != MemKind::RegisteredHost) {
        return CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED;
    }
    t.byBase.erase(it);
    return CUDA_SUCCESS;
}

bool memFind(uintptr_t p, size_t bytes, AllocInfo* out) {
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    Record* rec = findLocked(t, p, false);
    if (rec == nullptr) return false;
    if (bytes == 0 ? p >= rec->info.base + rec->info.size && rec->info.size != 0
                   : bytes > rec->info.size - (p - rec->info.base)) {
        return false;
    }
    if (out != nullptr) *out = rec->info;
    return true;
}

void memInfo(size_t* freeBytes, size_t* totalBytes) {
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    const size_t total = config().totalMemory;
    *freeBytes = total - t.deviceBytes;
    *totalBytes = total;
}

std::string memDescribe(uintptr_t p) {
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mu);
    char buf[256];
    Record* rec = findLocked(t, p, true);
    if (rec == nullptr) {
        // Beyond a guard page: name the nearest allocation below, if any.
        auto it = t.byBase.upper_bound(p);
        while (it != t.byBase.begin()) {
            --it;
            const AllocInfo& a = it->second.info;
            if (it->second.mapLen == 0) continue;  // registered host ranges are not ours
            std::snprintf(buf, sizeof buf,
                          "0x%" PRIxPTR ", %" PRIuPTR " bytes past the end of the %zu-byte %s allocation at 0x%" PRIxPTR
                          " (beyond its guard page)",
                          p, p - (a.base + a.size), a.size, kindName(a.kind), a.base);
            return buf;
        }
        std::snprintf(buf, sizeof buf, "0x%" PRIxPTR " (not in or after any allocation)", p);
        return buf;
    }
    const AllocInfo& a = rec->info;
    if (p >= a.base + a.size) {
        std::snprintf(buf, sizeof buf, "0x%" PRIxPTR ", %" PRIuPTR " bytes past the end of the %zu-byte %s allocation at 0x%" PRIxPTR,
                      p, p - (a.base + a.size), a.size, kindName(a.kind), a.base);
    } else if (p < a.base) {
        std::snprintf(buf, sizeof buf, "0x%" PRIxPTR ", %" PRIuPTR " bytes before the %zu-byte %s allocation at 0x%" PRIxPTR,
                      p, a.base - p, a.size, kindName(a.kind), a.base);
    } else {
        std::snprintf(buf, sizeof buf, "0x%" PRIxPTR ", inside the %zu-byte %s allocation at 0x%" PRIxPTR, p, a.size,
                      kindName(a.kind), a.base);
    }
    return buf;
}

CUresult checkDeviceRange(const char* api, uintptr_t p, size_t bytes) {
    if (bytes == 0) return CUDA_SUCCESS;
    if (memFind(p, bytes, nullptr)) return CUDA_SUCCESS;
    AllocInfo a;
    if (memFind(p, 0, &a)) {
        log("%s: %zu bytes at 0x%" PRIxPTR " run past the end of the %zu-byte %s allocation at 0x%" PRIxPTR
            " (by %zu bytes)",
            api, bytes, p, a.size, kindName(a.kind), a.base, bytes - (a.size - (p - a.base)));
    } else {
        log("%s: 0x%" PRIxPTR " is not device memory (no live allocation holds it)", api, p);
    }
    return CUDA_ERROR_INVALID_VALUE;
}

}  // namespace standin
