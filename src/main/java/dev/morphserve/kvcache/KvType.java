package dev.morphserve.kvcache;

/**
 * The element type of the cached keys and values ({@code morphserve.kv-type}, {@code --kv-type}),
 * named as ggml names it. F16 halves the cache's memory, so a memory budget holds twice the
 * contexts; F32 keeps exactly what the projections computed (llama2.c's reference outputs).
 */
public enum KvType {
    F16(2),
    F32(4);

    private final int bytes;

    KvType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes of one cached element. */
    public int bytes() {
        return bytes;
    }
}
