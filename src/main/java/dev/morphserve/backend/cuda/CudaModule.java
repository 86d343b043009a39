package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.Cuda.check;
import static org.lwjgl.cuda.CU.cuModuleGetFunction;
import static org.lwjgl.cuda.CU.cuModuleLoadData;
import static org.lwjgl.cuda.CU.cuModuleUnload;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/** The loaded kernel module and its functions by name. */
final class CudaModule implements AutoCloseable {
    private final long module;
    private final String loadedFrom;
    private final double loadMillis;
    private final Map<String, List<Integer>> paramSizes;
    private final Map<String, KernelFunction> functions = new HashMap<>();

    private CudaModule(long module, String loadedFrom, double loadMillis, Map<String, List<Integer>> paramSizes) {
        this.module = module;
        this.loadedFrom = loadedFrom;
        this.loadMillis = loadMillis;
        this.paramSizes = paramSizes;
    }

    static CudaModule load(CudaContext context, KernelImage image) {
        context.makeCurrent();
        KernelImage.LoadableImage loadable = image.forDevice(context.computeCapability());
        ByteBuffer bytes = MemoryUtil.memAlloc(loadable.bytes().length);
        long start = System.nanoTime();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            bytes.put(0, loadable.bytes());
            PointerBuffer handle = stack.mallocPointer(1);
            check(cuModuleLoadData(handle, bytes), "cuModuleLoadData(" + loadable.description() + ")");
            return new CudaModule(handle.get(0), loadable.description(), (System.nanoTime() - start) / 1e6, image.paramSizes());
        } finally {
            MemoryUtil.memFree(bytes);
        }
    }

    String loadedFrom() {
        return loadedFrom;
    }

    double loadMillis() {
        return loadMillis;
    }

    KernelFunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            List<Integer> sizes = paramSizes.get(n);
            if (sizes == null) {
                throw new IllegalStateException("the CUDA kernels in this jar have no kernel " + n);
            }
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer f = stack.mallocPointer(1);
                check(cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
                return new KernelFunction(n, f.get(0), sizes);
            }
        });
    }

    @Override
    public void close() {
        check(cuModuleUnload(module), "cuModuleUnload");
    }
}
