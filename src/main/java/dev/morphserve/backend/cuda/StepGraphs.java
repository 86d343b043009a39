package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.Cuda.check;
import static org.lwjgl.cuda.CU.CUDA_SUCCESS;
import static org.lwjgl.cuda.CU.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL;
import static org.lwjgl.cuda.CU.cuGraphDestroy;
import static org.lwjgl.cuda.CU.cuGraphExecDestroy;
import static org.lwjgl.cuda.CU.cuGraphInstantiateWithFlags;
import static org.lwjgl.cuda.CU.cuGraphLaunch;
import static org.lwjgl.cuda.CU.cuStreamBeginCapture_v2;
import static org.lwjgl.cuda.CU.cuStreamEndCapture;

import java.util.HashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * Decode steps as CUDA graphs: a decode step of a 22-layer model is some 290 small launches, and
 * the host's time to issue them one by one rivals the device's time to run them. The first step
 * of a shape is captured on the stream; later steps of the shape replay it with one launch.
 *
 * <p>A replay is valid while every kernel argument is the same: the step's metadata offsets (they
 * depend only on the shape, see {@link StepMetadata}), the activation buffers and the weights'
 * device addresses. The runner {@link #invalidate()}s the graphs whenever either of the last two
 * changes (a morph swap, a bigger step).
 */
final class StepGraphs implements AutoCloseable {
    /** What a graph is valid for besides the buffers: token count, logit rows and KV block size. */
    private record Shape(int numTokens, int numLogits, int blockSize) {}

    private final long stream;
    private final Map<Shape, Long> executables = new HashMap<>();

    StepGraphs(long stream) {
        this.stream = stream;
    }

    /** Enqueues the step's kernels: a replay of its shape's graph, captured from {@code kernels} the first time. */
    void run(int numTokens, int numLogits, int blockSize, Runnable kernels) {
        Shape shape = new Shape(numTokens, numLogits, blockSize);
        Long exec = executables.get(shape);
        if (exec == null) {
            exec = capture(kernels);
            executables.put(shape, exec);
        }
        check(cuGraphLaunch(exec, stream), "cuGraphLaunch");
    }

    private long capture(Runnable kernels) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer graph = stack.mallocPointer(1);
            check(cuStreamBeginCapture_v2(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
            try {
                kernels.run();
            } catch (RuntimeException e) { // a failed launch must not leave the stream capturing
                if (cuStreamEndCapture(stream, graph) == CUDA_SUCCESS && graph.get(0) != 0) {
                    cuGraphDestroy(graph.get(0));
                }
                throw e;
            }
            check(cuStreamEndCapture(stream, graph), "cuStreamEndCapture");
            PointerBuffer exec = stack.mallocPointer(1);
            try {
                check(cuGraphInstantiateWithFlags(exec, graph.get(0), 0), "cuGraphInstantiateWithFlags");
            } finally {
                check(cuGraphDestroy(graph.get(0)), "cuGraphDestroy");
            }
            return exec.get(0);
        }
    }

    /** Drops every graph: their arguments point at buffers or weights that changed. */
    void invalidate() {
        for (long exec : executables.values()) {
            check(cuGraphExecDestroy(exec), "cuGraphExecDestroy");
        }
        executables.clear();
    }

    @Override
    public void close() {
        invalidate();
    }
}
