// Streams, events, graph capture and replay, and the sticky error.
//
// Every created stream runs its work in order on its own worker thread, so host code that forgets
// to synchronise sees the same races it would on a GPU. The legacy default stream (0) follows
// CUDA's implicit synchronisation in its simplest correct form: an operation on it first waits
// for everything already enqueued on the blocking streams (those created without
// CU_STREAM_NON_BLOCKING), then runs, and has completed when the call returns. With
// MORPHSERVE_STANDIN_SYNC=1 there are no workers: all work runs inline on the calling thread.
//
// A kernel that fails (emu::KernelError: divergent barrier, shuffle with an exited lane,
// deadlock) or faults makes the context unusable, as on a GPU: the message goes to stderr, later
// work is skipped, and every call that synchronises (and every later launch or copy) returns
// CUDA_ERROR_LAUNCH_FAILED. As with CUDA, only a new process recovers.
#include <cinttypes>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <thread>

#include "faults.h"
#include "standin.h"

namespace standin {

struct Capture {
    CUstreamCaptureMode mode;
    std::thread::id thread;
    std::vector<Op> ops;
    bool invalidated = false;
};

struct Stream {
    unsigned flags = 0;
    int priority = 0;
    bool legacy = false;

    std::mutex mu;
    std::condition_variable work;      // queue not empty, or stopping
    std::condition_variable progress;  // completed advanced
    std::deque<Op> queue;
    uint64_t enqueued = 0;
    uint64_t completed = 0;
    bool stopping = false;
    std::shared_ptr<Capture> capture;  // under mu
    std::thread worker;
};

struct Event {
    unsigned flags = 0;
    std::mutex mu;
    std::condition_variable cv;
    uint64_t recorded = 0;  // generation of the latest cuEventRecord
    uint64_t done = 0;      // highest completed generation
    std::chrono::steady_clock::time_point stamp;
};

namespace {

struct State {
    std::mutex mu;  // guards the handle maps below
    std::map<Stream*, std::shared_ptr<Stream>> streams;
    std::map<Event*, std::shared_ptr<Event>> events;
    std::map<Graph*, std::unique_ptr<Graph>> graphs;
    std::map<GraphExec*, std::unique_ptr<GraphExec>> execs;
    std::shared_ptr<Stream> legacy;

    std::atomic<int> sticky{CUDA_SUCCESS};
    std::atomic<uint64_t> launches{0};
    // Kernels run one at a time (the device has one SM, and the emulator serialises launches
    // anyway); copies and host work overlap them.
    std::mutex sm;
};

State& state() {
    static auto* s = new State();  // never destroyed: workers may run while the process exits
    return *s;
}

bool isLegacyHandle(CUstream h) {
    return h == nullptr || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD;
}

void fail(const Op& op, const std::string& message) {
    int expected = CUDA_SUCCESS;
    if (state().sticky.compare_exchange_strong(expected, CUDA_ERROR_LAUNCH_FAILED)) {
        log("%s failed: %s; the context is unusable from now on (CUDA_ERROR_LAUNCH_FAILED)", op.what.c_str(),
            message.c_str());
    }
}

void execute(const Op& op) {
    State& st = state();
    if (op.kind == Op::EventRecord) {  // always completes, so nobody waits forever
        op.run();
        return;
    }
    if (st.sticky.load() != CUDA_SUCCESS) return;
    if (op.kind == Op::HostFunc || op.kind == Op::EventWait) {
        op.run();  // unguarded: a host function may run Java code, whose own faults are the JVM's
        return;
    }
    std::string error;
    bool ok;
    if (op.kind == Op::Kernel) {
        std::lock_guard<std::mutex> sm(st.sm);
        // Checked again: a kernel that faulted while this one waited leaves the emulator unusable.
        if (st.sticky.load() != CUDA_SUCCESS) return;
        ok = runGuarded(op.run, &error);
    } else {
        ok = runGuarded(op.run, &error);
    }
    if (!ok) fail(op, error);
}

void workerLoop(Stream* s) {
    ensureAltStack();
    for (;;) {
        Op op;
        {
            std::unique_lock<std::mutex> lock(s->mu);
            s->work.wait(lock, [s] { return !s->queue.empty() || s->stopping; });
            if (s->queue.empty()) return;
            op = std::move(s->queue.front());
            s->queue.pop_front();
        }
        if (op.kind == Op::EventRecord) {
            // The event and the stream complete together: whoever sees one done sees the other.
            std::lock_guard<std::mutex> lock(s->mu);
            execute(op);
            ++s->completed;
        } else {
            execute(op);
            std::lock_guard<std::mutex> lock(s->mu);
            ++s->completed;
        }
        s->progress.notify_all();
    }
}

std::shared_ptr<Stream> newStream(unsigned flags, int priority, bool legacy) {
    auto s = std::make_shared<Stream>();
    s->flags = flags;
    s->priority = priority;
    s->legacy = legacy;
    if (!config().sync) s->worker = std::thread(workerLoop, s.get());
    return s;
}

void waitFor(Stream& s, uint64_t target) {
    std::unique_lock<std::mutex> lock(s.mu);
    s.progress.wait(lock, [&] { return s.completed >= target; });
}

// Waits for everything enqueued so far on the created streams (only the blocking ones unless
// `all`) and on the legacy stream.
void drain(bool all) {
    State& st = state();
    if (config().sync) return;
    std::vector<std::pair<std::shared_ptr<Stream>, uint64_t>> targets;
    {
        std::lock_guard<std::mutex> lock(st.mu);
        for (auto& [raw, s] : st.streams) {
            if (!all && (s->flags & CU_STREAM_NON_BLOCKING)) continue;
            std::lock_guard<std::mutex> sl(s->mu);
            targets.emplace_back(s, s->enqueued);
        }
        std::lock_guard<std::mutex> sl(st.legacy->mu);
        targets.emplace_back(st.legacy, st.legacy->enqueued);
    }
    for (auto& [s, target] : targets) waitFor(*s, target);
}

CUresult resolve(CUstream h, std::shared_ptr<Stream>* out) {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    if (isLegacyHandle(h)) {
        *out = st.legacy;
        return CUDA_SUCCESS;
    }
    auto it = st.streams.find(reinterpret_cast<Stream*>(h));
    if (it == st.streams.end()) {
        log("stream %p is not a live stream", static_cast<void*>(h));
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = it->second;
    return CUDA_SUCCESS;
}

CUresult resolveEvent(CUevent h, std::shared_ptr<Event>* out) {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.events.find(reinterpret_cast<Event*>(h));
    if (it == st.events.end()) {
        log("event %p is not a live event", static_cast<void*>(h));
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = it->second;
    return CUDA_SUCCESS;
}

// Runs ops as legacy-stream work: after the blocking streams drained, completed on return.
CUresult runLegacy(std::vector<Op> ops) {
    State& st = state();
    drain(false);
    if (config().sync) {
        for (const Op& op : ops) execute(op);
        return static_cast<CUresult>(st.sticky.load());
    }
    Stream& s = *st.legacy;
    uint64_t target;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        for (Op& op : ops) s.queue.push_back(std::move(op));
        s.enqueued += ops.size();
        target = s.enqueued;
    }
    s.work.notify_one();
    waitFor(s, target);
    return static_cast<CUresult>(st.sticky.load());
}

// Ops onto a created stream (or into its capture). `waitDone`: completed on return.
CUresult enqueueOn(Stream& s, std::vector<Op> ops, bool waitDone) {
    State& st = state();
    uint64_t target = 0;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (s.capture) {
            if (s.capture->invalidated) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
            for (Op& op : ops) s.capture->ops.push_back(std::move(op));
            return CUDA_SUCCESS;
        }
        if (!config().sync) {
            for (Op& op : ops) s.queue.push_back(std::move(op));
            s.enqueued += ops.size();
            target = s.enqueued;
        }
    }
    if (config().sync) {
        for (const Op& op : ops) execute(op);
        return static_cast<CUresult>(st.sticky.load());
    }
    s.work.notify_one();
    if (waitDone) {
        waitFor(s, target);
        return static_cast<CUresult>(st.sticky.load());
    }
    return CUDA_SUCCESS;
}

// True (and the capture invalidated) when s is capturing: `api` is not allowed on it then.
bool rejectIfCapturing(Stream& s, const char* api) {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.capture) return false;
    s.capture->invalidated = true;
    log("%s on a capturing stream is not supported; the capture is invalidated", api);
    return true;
}

CUresult submit(CUstream h, std::vector<Op> ops, bool waitDone, const char* api) {
    State& st = state();
    const CUresult sticky = static_cast<CUresult>(st.sticky.load());
    if (sticky != CUDA_SUCCESS) return sticky;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (s->legacy) {
        if (CUresult r = captureForbids(api); r != CUDA_SUCCESS) return r;
        return runLegacy(std::move(ops));
    }
    return enqueueOn(*s, std::move(ops), waitDone);
}

void completeEvent(Event& e, uint64_t generation) {
    {
        std::lock_guard<std::mutex> lock(e.mu);
        if (generation > e.done) {
            e.done = generation;
            e.stamp = std::chrono::steady_clock::now();
        }
    }
    e.cv.notify_all();
}

}  // namespace

void streamsInit() {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    if (!st.legacy) st.legacy = newStream(0, 0, true);
}

CUresult stickyError() { return static_cast<CUresult>(state().sticky.load()); }

uint64_t nextLaunchSeed() {
    // splitmix64 of (seed, launch number): reproducible for a given launch order.
    uint64_t z = config().seed + 0x9E3779B97F4A7C15ull * (state().launches.fetch_add(1) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

CUresult streamCreate(CUstream* out, unsigned flags, int priority) {
    if (out == nullptr || (flags & ~unsigned(CU_STREAM_NON_BLOCKING)) != 0) return CUDA_ERROR_INVALID_VALUE;
    auto s = newStream(flags, priority, false);
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    st.streams[s.get()] = s;
    *out = reinterpret_cast<CUstream>(s.get());
    return CUDA_SUCCESS;
}

CUresult streamDestroy(CUstream h) {
    if (isLegacyHandle(h)) return CUDA_ERROR_INVALID_HANDLE;
    State& st = state();
    std::shared_ptr<Stream> s;
    {
        std::lock_guard<std::mutex> lock(st.mu);
        auto it = st.streams.find(reinterpret_cast<Stream*>(h));
        if (it == st.streams.end()) {
            log("cuStreamDestroy: %p is not a live stream", static_cast<void*>(h));
            return CUDA_ERROR_INVALID_HANDLE;
        }
        s = it->second;
    }
    // Pending work completes first (CUDA releases the stream once its work is done).
    {
        std::lock_guard<std::mutex> lock(s->mu);
        s->stopping = true;
        s->capture.reset();
    }
    s->work.notify_all();
    if (s->worker.joinable()) s->worker.join();
    std::lock_guard<std::mutex> lock(st.mu);
    st.streams.erase(s.get());
    return CUDA_SUCCESS;
}

CUresult streamGetFlags(CUstream h, unsigned* flags) {
    if (flags == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    *flags = s->flags;
    return CUDA_SUCCESS;
}

CUresult streamGetPriority(CUstream h, int* priority) {
    if (priority == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    *priority = s->priority;
    return CUDA_SUCCESS;
}

CUresult enqueue(CUstream h, Op op, bool pageableSync) {
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    const std::string what = op.what;
    std::vector<Op> ops;
    ops.push_back(std::move(op));
    const CUresult r = submit(h, std::move(ops), pageableSync, what.c_str());
    // An asynchronous call succeeds even when its own work (run at once on the legacy stream)
    // failed: as on a GPU, the next synchronising call reports the failure.
    return r == CUDA_ERROR_LAUNCH_FAILED && !pageableSync ? CUDA_SUCCESS : r;
}

CUresult runSynchronous(Op op) {
    State& st = state();
    const CUresult sticky = static_cast<CUresult>(st.sticky.load());
    if (sticky != CUDA_SUCCESS) return sticky;
    if (CUresult r = captureForbids(op.what.c_str()); r != CUDA_SUCCESS) return r;
    std::vector<Op> ops;
    ops.push_back(std::move(op));
    return runLegacy(std::move(ops));
}

CUresult streamSynchronize(CUstream h) {
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (s->legacy) {
        if (CUresult r = captureForbids("cuStreamSynchronize(0)"); r != CUDA_SUCCESS) return r;
        drain(false);
        return stickyError();
    }
    if (rejectIfCapturing(*s, "cuStreamSynchronize")) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    uint64_t target;
    {
        std::lock_guard<std::mutex> lock(s->mu);
        target = s->enqueued;
    }
    waitFor(*s, target);
    return stickyError();
}

CUresult streamQuery(CUstream h) {
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (s->legacy) {
        if (CUresult r = captureForbids("cuStreamQuery(0)"); r != CUDA_SUCCESS) return r;
    } else if (rejectIfCapturing(*s, "cuStreamQuery")) {
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> lock(s->mu);
    return s->completed == s->enqueued ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult ctxSynchronize() {
    if (CUresult r = captureForbids("cuCtxSynchronize"); r != CUDA_SUCCESS) return r;
    drain(true);
    return stickyError();
}

CUresult eventCreate(CUevent* out, unsigned flags) {
    constexpr unsigned kKnown = CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS;
    if (out == nullptr || (flags & ~kKnown) != 0) return CUDA_ERROR_INVALID_VALUE;
    if ((flags & CU_EVENT_INTERPROCESS) && !(flags & CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_VALUE;
    auto e = std::make_shared<Event>();
    e->flags = flags;
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    st.events[e.get()] = e;
    *out = reinterpret_cast<CUevent>(e.get());
    return CUDA_SUCCESS;
}

CUresult eventDestroy(CUevent h) {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    // Pending records and waits hold their own reference, as CUDA lets them finish.
    if (st.events.erase(reinterpret_cast<Event*>(h)) == 0) {
        log("cuEventDestroy: %p is not a live event", static_cast<void*>(h));
        return CUDA_ERROR_INVALID_HANDLE;
    }
    return CUDA_SUCCESS;
}

CUresult eventRecord(CUevent he, CUstream h) {
    std::shared_ptr<Event> e;
    if (CUresult r = resolveEvent(he, &e); r != CUDA_SUCCESS) return r;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (!s->legacy && rejectIfCapturing(*s, "cuEventRecord (cross-stream capture)")) {
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    uint64_t generation;
    {
        std::lock_guard<std::mutex> lock(e->mu);
        generation = ++e->recorded;
    }
    Op op;
    op.kind = Op::EventRecord;
    op.what = "event record";
    op.run = [e, generation] { completeEvent(*e, generation); };
    std::vector<Op> ops;
    ops.push_back(std::move(op));
    if (s->legacy) {
        if (CUresult r = captureForbids("cuEventRecord on the legacy stream"); r != CUDA_SUCCESS) {
            completeEvent(*e, generation);
            return r;
        }
        return runLegacy(std::move(ops));
    }
    // Enqueued even after a sticky error, so waiters on this event never hang.
    CUresult r = enqueueOn(*s, std::move(ops), false);
    if (r != CUDA_SUCCESS) return r;
    return stickyError();
}

CUresult eventQuery(CUevent he) {
    std::shared_ptr<Event> e;
    if (CUresult r = resolveEvent(he, &e); r != CUDA_SUCCESS) return r;
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> lock(e->mu);
    return e->done >= e->recorded ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

CUresult eventSynchronize(CUevent he) {
    std::shared_ptr<Event> e;
    if (CUresult r = resolveEvent(he, &e); r != CUDA_SUCCESS) return r;
    {
        std::unique_lock<std::mutex> lock(e->mu);
        const uint64_t target = e->recorded;
        e->cv.wait(lock, [&] { return e->done >= target; });
    }
    return stickyError();
}

CUresult eventElapsed(float* ms, CUevent hs, CUevent he) {
    if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::shared_ptr<Event> s, e;
    if (CUresult r = resolveEvent(hs, &s); r != CUDA_SUCCESS) return r;
    if (CUresult r = resolveEvent(he, &e); r != CUDA_SUCCESS) return r;
    if ((s->flags | e->flags) & CU_EVENT_DISABLE_TIMING) return CUDA_ERROR_INVALID_HANDLE;
    std::chrono::steady_clock::time_point t0, t1;
    for (auto [ev, t] : {std::make_pair(s.get(), &t0), std::make_pair(e.get(), &t1)}) {
        std::lock_guard<std::mutex> lock(ev->mu);
        if (ev->recorded == 0) return CUDA_ERROR_INVALID_HANDLE;
        if (ev->done < ev->recorded) return CUDA_ERROR_NOT_READY;
        *t = ev->stamp;
    }
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    *ms = std::chrono::duration<float, std::milli>(t1 - t0).count();
    return CUDA_SUCCESS;
}

CUresult streamWaitEvent(CUstream h, CUevent he, unsigned flags) {
    if (flags != 0 && flags != CU_EVENT_WAIT_EXTERNAL) return CUDA_ERROR_INVALID_VALUE;
    std::shared_ptr<Event> e;
    if (CUresult r = resolveEvent(he, &e); r != CUDA_SUCCESS) return r;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (!s->legacy && rejectIfCapturing(*s, "cuStreamWaitEvent (cross-stream capture)")) {
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    uint64_t target;
    {
        std::lock_guard<std::mutex> lock(e->mu);
        target = e->recorded;
    }
    if (target == 0) return stickyError();  // never recorded: nothing to wait for
    auto wait = [e, target] {
        std::unique_lock<std::mutex> lock(e->mu);
        e->cv.wait(lock, [&] { return e->done >= target; });
    };
    if (s->legacy) {
        if (CUresult r = captureForbids("cuStreamWaitEvent on the legacy stream"); r != CUDA_SUCCESS) return r;
        wait();  // legacy work is synchronous: later legacy work starts after this returns
        return stickyError();
    }
    Op op;
    op.kind = Op::EventWait;
    op.what = "event wait";
    op.run = wait;
    std::vector<Op> ops;
    ops.push_back(std::move(op));
    return submit(h, std::move(ops), false, "cuStreamWaitEvent");
}

CUresult captureBegin(CUstream h, CUstreamCaptureMode mode) {
    if (mode != CU_STREAM_CAPTURE_MODE_GLOBAL && mode != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
        mode != CU_STREAM_CAPTURE_MODE_RELAXED) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (isLegacyHandle(h)) {
        log("cuStreamBeginCapture: the legacy stream cannot be captured");
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> lock(s->mu);
    if (s->capture) return CUDA_ERROR_ILLEGAL_STATE;
    s->capture = std::make_shared<Capture>();
    s->capture->mode = mode;
    s->capture->thread = std::this_thread::get_id();
    return CUDA_SUCCESS;
}

CUresult captureEnd(CUstream h, CUgraph* out) {
    if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (isLegacyHandle(h)) return CUDA_ERROR_ILLEGAL_STATE;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    std::shared_ptr<Capture> c;
    {
        std::lock_guard<std::mutex> lock(s->mu);
        if (!s->capture) return CUDA_ERROR_ILLEGAL_STATE;
        if (s->capture->mode != CU_STREAM_CAPTURE_MODE_RELAXED && s->capture->thread != std::this_thread::get_id()) {
            return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
        }
        c = std::move(s->capture);
        s->capture.reset();
    }
    *out = nullptr;
    if (c->invalidated) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    auto g = std::make_unique<Graph>();
    g->ops = std::move(c->ops);
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    *out = reinterpret_cast<CUgraph>(g.get());
    st.graphs[g.get()] = std::move(g);
    return CUDA_SUCCESS;
}

CUresult captureStatus(CUstream h, CUstreamCaptureStatus* status) {
    if (status == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->capture) {
        *status = CU_STREAM_CAPTURE_STATUS_NONE;
    } else {
        *status = s->capture->invalidated ? CU_STREAM_CAPTURE_STATUS_INVALIDATED : CU_STREAM_CAPTURE_STATUS_ACTIVE;
    }
    return CUDA_SUCCESS;
}

CUresult captureForbids(const char* api) {
    // CUDA's rule for a thread in the default (global) interaction mode: unsafe calls are
    // prohibited while this thread captures in global or thread-local mode, or while any other
    // thread captures in global mode. Relaxed captures prohibit nothing.
    State& st = state();
    const auto self = std::this_thread::get_id();
    bool forbidden = false;
    std::lock_guard<std::mutex> lock(st.mu);
    for (auto& [raw, s] : st.streams) {
        std::lock_guard<std::mutex> sl(s->mu);
        Capture* c = s->capture.get();
        if (c == nullptr || c->mode == CU_STREAM_CAPTURE_MODE_RELAXED) continue;
        if (c->mode == CU_STREAM_CAPTURE_MODE_GLOBAL || c->thread == self) {
            c->invalidated = true;
            forbidden = true;
        }
    }
    if (forbidden) {
        log("%s is not allowed while a stream capture is in progress; the capture is invalidated", api);
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    return CUDA_SUCCESS;
}

CUresult rejectInCapture(CUstream h, const char* api) {
    std::shared_ptr<Stream> s;
    if (CUresult r = resolve(h, &s); r != CUDA_SUCCESS) return r;
    if (!s->legacy && rejectIfCapturing(*s, api)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    return CUDA_SUCCESS;
}

CUresult graphInstantiate(CUgraphExec* out, CUgraph hg) {
    if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.graphs.find(reinterpret_cast<Graph*>(hg));
    if (it == st.graphs.end()) return CUDA_ERROR_INVALID_HANDLE;
    auto exec = std::make_unique<GraphExec>();
    exec->ops = std::make_shared<const std::vector<Op>>(it->second->ops);
    *out = reinterpret_cast<CUgraphExec>(exec.get());
    st.execs[exec.get()] = std::move(exec);
    return CUDA_SUCCESS;
}

CUresult graphDestroy(CUgraph hg) {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    return st.graphs.erase(reinterpret_cast<Graph*>(hg)) == 0 ? CUDA_ERROR_INVALID_HANDLE : CUDA_SUCCESS;
}

CUresult graphExecDestroy(CUgraphExec he) {
    State& st = state();
    std::lock_guard<std::mutex> lock(st.mu);
    return st.execs.erase(reinterpret_cast<GraphExec*>(he)) == 0 ? CUDA_ERROR_INVALID_HANDLE : CUDA_SUCCESS;
}

CUresult graphLaunch(CUgraphExec he, CUstream h) {
    std::shared_ptr<const std::vector<Op>> ops;
    {
        State& st = state();
        std::lock_guard<std::mutex> lock(st.mu);
        auto it = st.execs.find(reinterpret_cast<GraphExec*>(he));
        if (it == st.execs.end()) return CUDA_ERROR_INVALID_HANDLE;
        ops = it->second->ops;
    }
    if (CUresult r = stickyError(); r != CUDA_SUCCESS) return r;
    const CUresult r = submit(h, std::vector<Op>(*ops), false, "cuGraphLaunch");
    return r == CUDA_ERROR_LAUNCH_FAILED ? CUDA_SUCCESS : r;  // reported by the next synchronising call
}

}  // namespace standin
