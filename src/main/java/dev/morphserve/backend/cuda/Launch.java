package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.Cuda.check;
import static org.lwjgl.cuda.CU.ncuLaunchKernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds one kernel launch's argument list and launches it on a stream. The driver copies the
 * arguments when the launch is enqueued, so one builder's memory is reused launch after launch;
 * it belongs to one thread (the engine's).
 *
 * <pre>
 * values   : [MAX_PARAMS] 8-byte slots, argument i at i * 8
 * pointers : [MAX_PARAMS] addresses of the slots (the driver's void** kernelParams)
 * </pre>
 *
 * Each argument's width is checked against the PTX's parameter list, so a wrong call names the
 * kernel and the parameter instead of corrupting the device.
 */
final class Launch {
    private static final int MAX_PARAMS = 24;

    private final MemorySegment values;
    private final MemorySegment pointers;
    private KernelFunction function;
    private int gridX;
    private int gridY;
    private int blockX;
    private int sharedBytes;
    private int count;

    Launch(Arena arena) {
        values = arena.allocate(8L * MAX_PARAMS, 8);
        pointers = arena.allocate(8L * MAX_PARAMS, 8);
        for (int i = 0; i < MAX_PARAMS; i++) {
            pointers.setAtIndex(ValueLayout.JAVA_LONG, i, values.address() + 8L * i);
        }
    }

    /** Starts a launch of {@code f} over a grid of {@code gridX x gridY} blocks of {@code blockX} threads. */
    Launch of(KernelFunction f, int gridX, int gridY, int blockX, int sharedBytes) {
        if (gridX < 1 || gridY < 1 || blockX < 1) {
            throw new IllegalArgumentException(f.name() + ": empty launch " + gridX + "x" + gridY + " blocks of " + blockX);
        }
        this.function = f;
        this.gridX = gridX;
        this.gridY = gridY;
        this.blockX = blockX;
        this.sharedBytes = sharedBytes;
        this.count = 0;
        return this;
    }

    /** A device pointer (or any 64-bit argument). */
    Launch ptr(long address) {
        slot(8).set(ValueLayout.JAVA_LONG, 0, address);
        return this;
    }

    Launch i64(long value) {
        return ptr(value);
    }

    Launch i32(int value) {
        slot(4).set(ValueLayout.JAVA_INT, 0, value);
        return this;
    }

    Launch f32(float value) {
        slot(4).set(ValueLayout.JAVA_FLOAT, 0, value);
        return this;
    }

    private MemorySegment slot(int bytes) {
        var sizes = function.paramSizes();
        if (count >= sizes.size() || sizes.get(count) != bytes) {
            throw new IllegalStateException(function.name() + ": parameter " + count + " passed as " + bytes + " bytes, but the kernel takes "
                    + (count >= sizes.size() ? "only " + sizes.size() + " parameters" : sizes.get(count) + " bytes there"));
        }
        return values.asSlice(8L * count++, 8);
    }

    void run(long stream) {
        if (count != function.paramSizes().size()) {
            throw new IllegalStateException(function.name() + ": " + count + " arguments given, the kernel takes " + function.paramSizes().size());
        }
        check(ncuLaunchKernel(function.handle(), gridX, gridY, 1, blockX, 1, 1, sharedBytes, stream, pointers.address(), 0L),
                "cuLaunchKernel(" + function.name() + ")");
    }
}
