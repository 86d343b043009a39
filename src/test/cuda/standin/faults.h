// Turning a fault inside stream work (a kernel running past a guard page, a copy from a bad
// host pointer) into an error of that work instead of a dead process. A SIGSEGV/SIGBUS/SIGFPE
// raised while a guarded call runs on this thread jumps back to runGuarded; every other signal
// goes to the handler installed before ours (the JVM's, in a Java process).
#pragma once

#include <functional>
#include <string>

namespace standin {

// Installs the handlers (once). Called by cuInit unless MORPHSERVE_STANDIN_CATCH_FAULTS=0.
void installFaultHandlers();
// Gives the calling thread an alternate signal stack (a fault may be a fiber stack overflow).
void ensureAltStack();
// Runs fn; false with *error set when it threw or faulted.
bool runGuarded(const std::function<void()>& fn, std::string* error);

}  // namespace standin
