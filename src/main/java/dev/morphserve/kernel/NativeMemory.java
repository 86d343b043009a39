package dev.morphserve.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for repacked weights, freed by the garbage collector once unreachable (or with an
 * arena). Not {@code Arena.allocate}: that memory counts against {@code MaxDirectMemorySize}, which
 * defaults to the heap size, and the engine runs the 1.1B model's 2.2 GB of F16 weights with
 * {@code -Xmx1g}. Large blocks are mapped on Linux and advised as transparent huge pages (a decode
 * step streams all weights once; with 4 KiB pages the F16 decode of the 1.1B shape ran at 16 tok/s,
 * with 2 MiB pages at 20 in {@code KernelBench}); small ones come from {@code calloc}. Needs native
 * access (the launcher and the build pass {@code --enable-native-access=ALL-UNNAMED}); without it
 * falls back to an automatic arena.
 */
final class NativeMemory {
    private static final int ALIGN = 64;
    private static final MethodHandle CALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    /** Allocations of at least this many bytes are mapped in 2 MiB pages where the kernel allows it. */
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;

    static {
        MethodHandle calloc = null;
        MethodHandle free = null;
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            calloc = linker.downcallHandle(libc.find("calloc").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            free = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            if (System.getProperty("os.name", "").startsWith("Linux")) {
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException e) {
            calloc = null; // no native access: Arena fallback
        }
        CALLOC = calloc;
        FREE = free;
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
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
        if (MMAP != null && bytes >= 2 * HUGE_PAGE) {
            return mapHuge(bytes, owner);
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

    /**
     * Fresh anonymous pages (zero), 2 MiB aligned and advised as huge pages: a decode step streams
     * every weight once, and with 4 KiB pages the page walks of 2 GB of F16 weights cost bandwidth.
     */
    private static MemorySegment mapHuge(long bytes, Arena owner) {
        long length = bytes + HUGE_PAGE;
        MemorySegment raw;
        try {
            raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
        if (raw.address() == -1L) {
            throw new OutOfMemoryError("mmap of " + length + " bytes for repacked weights failed");
        }
        MemorySegment owned = raw.reinterpret(length, owner, address -> unmap(address, length));
        long pad = (HUGE_PAGE - owned.address() % HUGE_PAGE) % HUGE_PAGE;
        MemorySegment seg = owned.asSlice(pad, bytes);
        try {
            int ignored = (int) MADVISE.invokeExact(seg, bytes & -HUGE_PAGE, MADV_HUGEPAGE); // advice only: 4 KiB pages still work
        } catch (Throwable t) {
            throw new IllegalStateException("madvise failed", t);
        }
        return seg;
    }

    private static void unmap(MemorySegment address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, length);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }

    private static void free(MemorySegment address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
