package dev.morphserve.backend.cuda;

import dev.morphserve.model.ModelConfig;

/**
 * The activations of one step in device memory (float32, row-major), sized for the largest step so
 * far and regrown when a bigger one comes. Owned by one runner.
 */
final class DeviceActivations implements AutoCloseable {
    final int numTokens;
    final int numLogits;
    final int metadataBytes;
    private final CudaContext context;
    private final DeviceBuffer buffer;
    final long x; //        [T x dim] residual stream
    final long xb; //       [T x dim] normed input
    final long q; //        [T x dim]
    final long k; //        [T x kvDim]
    final long v; //        [T x kvDim]
    final long attn; //     [T x dim] attention output
    final long gate; //     [T x ffnDim]
    final long up; //       [T x ffnDim]
    final long selected; // [L x dim] rows whose logits are wanted
    final long logits; //   [L x vocab]
    final long metadata; // StepMetadata, metadataBytes

    DeviceActivations(CudaContext context, ModelConfig c, int numTokens, int numLogits, int metadataBytes) {
        this.context = context;
        this.numTokens = numTokens;
        this.numLogits = numLogits;
        this.metadataBytes = metadataBytes;
        long[] sizes = {
            (long) numTokens * c.dim(), (long) numTokens * c.dim(), (long) numTokens * c.dim(), (long) numTokens * c.kvDim(),
            (long) numTokens * c.kvDim(), (long) numTokens * c.dim(), (long) numTokens * c.ffnDim(), (long) numTokens * c.ffnDim(),
            (long) numLogits * c.dim(), (long) numLogits * c.vocabSize(), (metadataBytes + 3) / 4
        };
        long[] offsets = new long[sizes.length];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            offsets[i] = total;
            total += (sizes[i] * Float.BYTES + 255) & ~255L; // 256-byte aligned, as cuMemAlloc aligns
        }
        buffer = context.allocate(total, "activations of a " + numTokens + "-token step");
        long base = buffer.address();
        x = base + offsets[0];
        xb = base + offsets[1];
        q = base + offsets[2];
        k = base + offsets[3];
        v = base + offsets[4];
        attn = base + offsets[5];
        gate = base + offsets[6];
        up = base + offsets[7];
        selected = base + offsets[8];
        logits = base + offsets[9];
        metadata = base + offsets[10];
    }

    boolean fits(int tokens, int logitRows, long metaBytes) {
        return tokens <= numTokens && logitRows <= numLogits && metaBytes <= metadataBytes;
    }

    @Override
    public void close() {
        context.free(buffer);
    }
}
