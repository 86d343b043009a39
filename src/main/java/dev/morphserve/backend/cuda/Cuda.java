package dev.morphserve.backend.cuda;

import static org.lwjgl.cuda.CU.CUDA_SUCCESS;
import static org.lwjgl.cuda.CU.cuGetErrorName;
import static org.lwjgl.cuda.CU.cuGetErrorString;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/** Every driver call goes through {@link #check}: a failure throws with the driver's own error name. */
final class Cuda {
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    private Cuda() {}

    /** Throws a {@link CudaException} naming {@code call} and the error when {@code result} is not success. */
    static void check(int result, String call) {
        if (result != CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + describe(result), result);
        }
    }

    /** "CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", as the driver names it. */
    static String describe(int result) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer name = stack.mallocPointer(1);
            PointerBuffer text = stack.mallocPointer(1);
            String n = cuGetErrorName(result, name) == CUDA_SUCCESS ? MemoryUtil.memASCII(name.get(0)) : "CUresult";
            String t = cuGetErrorString(result, text) == CUDA_SUCCESS ? MemoryUtil.memASCII(text.get(0)) : "unknown error";
            return n + " (" + result + "): " + t;
        }
    }
}
