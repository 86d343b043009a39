package dev.morphserve.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.IntBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;

/**
 * Whether this process can use CUDA, asked once. Without a driver LWJGL throws
 * {@code UnsatisfiedLinkError} on the first call into {@code CU} and {@code NoClassDefFoundError}
 * on every later one, so the answer is cached and every {@code Throwable} counts as "no".
 */
public final class CudaProbe {
    /**
     * @param available true when {@code cuInit} succeeded and at least one device exists
     * @param reason    why not, in one sentence, when not available
     */
    public record Result(boolean available, int deviceCount, String reason) {}

    private static Result result;

    private CudaProbe() {}

    public static synchronized Result probe() {
        if (result == null) {
            result = ask();
        }
        return result;
    }

    private static Result ask() {
        if (Configuration.CUDA_LIBRARY_NAME.get() == null && !driverLoads()) {
            // Asked first through the JDK: LWJGL would print its own advice about a missing library.
            return new Result(false, 0, "no CUDA driver (libcuda.so) could be loaded on this machine");
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            int init = CU.cuInit(0);
            if (init != CU.CUDA_SUCCESS) {
                return new Result(false, 0, "cuInit failed: " + Cuda.describe(init));
            }
            IntBuffer count = stack.mallocInt(1);
            Cuda.check(CU.cuDeviceGetCount(count), "cuDeviceGetCount");
            return count.get(0) > 0
                    ? new Result(true, count.get(0), "")
                    : new Result(false, 0, "the CUDA driver reports no device");
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, CudaException: all mean no GPU
            String detail = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
            return new Result(false, 0, "no CUDA driver could be loaded (" + t.getClass().getSimpleName() + ": " + detail + ")");
        }
    }

    private static boolean driverLoads() {
        for (String name : new String[] {"libcuda.so", "libcuda.so.1"}) {
            try {
                SymbolLookup.libraryLookup(name, Arena.global());
                return true;
            } catch (IllegalArgumentException notFound) {
                // try the next name
            }
        }
        return false;
    }
}
