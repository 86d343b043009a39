package dev.morphserve.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for repacked weights from the C heap ({@code calloc}), freed by the garbage collector
 * once unreachable. Not {@code Arena.allocate}: that memory counts against {@code MaxDirectMemorySize},
 * which defaults to the heap size, and the engine runs the 1.1B model's 2.2 GB of F16 weights with
 * {@code -Xmx1g}. Needs native access (the launcher and the build pass
 * {@code --enable-native-access=ALL-UNNAMED}); without it falls back to an automatic arena.
 */
final class NativeMemory {
    private static final int ALIGN = 64;
    private static final MethodHandle CALLOC;
    private static final MethodHandle FREE;

    static {
        MethodHandle calloc = null;
        MethodHandle free = null;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            calloc = linker.downcallHandle(libc.find("calloc").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            free = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        } catch (RuntimeException e) {
            calloc = null; // no native access: Arena fallback
        }
        CALLOC = calloc;
        FREE = free;
    }

    private NativeMemory() {}

    /**
     * {@code bytes} zeroed bytes, 64-byte aligned, released when {@code arena} closes, or when the
     * returned segment (and its slices) become unreachable if {@code arena} is null.
     */
    static MemorySegment allocateZeroed(long bytes, Arena arena) {
        Arena owner = arena != null ? arena : Arena.ofAuto();
        if (CALLOC == null) {
            return owner.allocate(bytes, ALIGN);
        }
        MemorySegment raw;
        try {
            raw = (MemorySegment) CALLOC.invokeExact(bytes + ALIGN, 1L);
        } catch (Throwable t) {
            throw new IllegalStateException("calloc failed", t);
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("calloc of " + (bytes + ALIGN) + " bytes for repacked weights failed");
        }
        MemorySegment owned = raw.reinterpret(bytes + ALIGN, owner, NativeMemory::free);
        long pad = (ALIGN - owned.address() % ALIGN) % ALIGN;
        return owned.asSlice(pad, bytes);
    }

    private static void free(MemorySegment address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
