#include "faults.h"

#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>

#include "standin.h"

namespace standin {
namespace {

struct Guard {
    sigjmp_buf jump;
    int signal;
    void* address;
};

// initial-exec: reading it from a signal handler must not allocate (a JVM thread may fault
// for its own reasons before it ever touched this variable).
__attribute__((tls_model("initial-exec"))) thread_local Guard* volatile tlGuard = nullptr;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE};
struct sigaction previous[NSIG];

void chain(int sig, siginfo_t* info, void* context) {
    const struct sigaction& old = previous[sig];
    if (old.sa_flags & SA_SIGINFO) {
        if (old.sa_sigaction != nullptr) old.sa_sigaction(sig, info, context);
        return;
    }
    if (old.sa_handler == SIG_IGN) return;
    if (old.sa_handler == SIG_DFL) {
        // Returning re-executes the faulting instruction, which now gets the default action.
        signal(sig, SIG_DFL);
        return;
    }
    old.sa_handler(sig);
}

void onSignal(int sig, siginfo_t* info, void* context) {
    Guard* g = tlGuard;
    if (g != nullptr) {
        tlGuard = nullptr;
        g->signal = sig;
        g->address = info != nullptr ? info->si_addr : nullptr;
        siglongjmp(g->jump, 1);
    }
    chain(sig, info, context);
}

std::string describe(int sig, void* address) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(address);
    switch (sig) {
        case SIGSEGV: return "invalid memory access (SIGSEGV) at " + memDescribe(a);
        case SIGBUS: return "bus error (SIGBUS) at " + memDescribe(a);
        case SIGFPE:
            return "arithmetic trap (SIGFPE, e.g. integer division by zero, which a GPU would not trap)";
        default: return "signal " + std::to_string(sig);
    }
}

}  // namespace

void installFaultHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : kSignals) {
            struct sigaction sa;
            std::memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = onSignal;
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&sa.sa_mask);
            sigaction(sig, &sa, &previous[sig]);
        }
    });
}

void ensureAltStack() {
    thread_local bool done = false;
    if (done) return;
    done = true;
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    stack_t st;
    st.ss_size = 256 * 1024;
    st.ss_sp = std::malloc(st.ss_size);  // lives as long as the thread; never freed
    st.ss_flags = 0;
    if (st.ss_sp != nullptr) sigaltstack(&st, nullptr);
}

bool runGuarded(const std::function<void()>& fn, std::string* error) {
    Guard guard;
    volatile bool ok = true;
    if (sigsetjmp(guard.jump, 1) != 0) {
        tlGuard = nullptr;
        *error = describe(guard.signal, guard.address);
        return false;
    }
    tlGuard = &guard;
    try {
        fn();
    } catch (const std::exception& e) {
        *error = e.what();
        ok = false;
    } catch (...) {
        *error = "unknown exception";
        ok = false;
    }
    tlGuard = nullptr;
    return ok;
}

}  // namespace standin
