package dev.morphserve.model;

/**
 * Byte offsets of every array of a legacy llama2.c checkpoint, computed from its header with
 * overflow checks, so that a corrupt header gives a clear size mismatch instead of a wrap-around.
 */
final class Llama2cLayout {
    /** A float32 array of the checkpoint. */
    record Span(long offsetBytes, long sizeBytes) {}

    private final Llama2cCheckpoint.Header h;
    private final long[] starts; // byte offset of each array kind, in file order
    private final long totalBytes;

    // array kinds in file order; per-layer kinds hold L arrays back to back
    private static final int EMB = 0, RMS_ATT = 1, WQ = 2, WK = 3, WV = 4, WO = 5, RMS_FFN = 6, W1 = 7, W2 = 8,
            W3 = 9, RMS_FINAL = 10, FREQ_REAL = 11, FREQ_IMAG = 12, WCLS = 13;

    Llama2cLayout(Llama2cCheckpoint.Header h) {
        this.h = h;
        long L = h.nLayers(), dim = h.dim(), kv = h.kvDim(), hidden = h.hiddenDim(), vocab = h.vocabSize();
        long freq = Math.multiplyExact((long) h.seqLen(), h.headSize() / 2);
        long[] floats = {
            Math.multiplyExact(vocab, dim), // token_embedding
            Math.multiplyExact(L, dim), // rms_att
            Math.multiplyExact(L, Math.multiplyExact(dim, dim)), // wq
            Math.multiplyExact(L, Math.multiplyExact(kv, dim)), // wk
            Math.multiplyExact(L, Math.multiplyExact(kv, dim)), // wv
            Math.multiplyExact(L, Math.multiplyExact(dim, dim)), // wo
            Math.multiplyExact(L, dim), // rms_ffn
            Math.multiplyExact(L, Math.multiplyExact(hidden, dim)), // w1
            Math.multiplyExact(L, Math.multiplyExact(dim, hidden)), // w2
            Math.multiplyExact(L, Math.multiplyExact(hidden, dim)), // w3
            dim, // rms_final
            freq, // freq_cis_real
            freq, // freq_cis_imag
            h.sharedClassifier() ? 0 : Math.multiplyExact(vocab, dim) // wcls
        };
        starts = new long[floats.length + 1];
        starts[0] = Llama2cCheckpoint.HEADER_BYTES;
        for (int i = 0; i < floats.length; i++) {
            starts[i + 1] = Math.addExact(starts[i], Math.multiplyExact(floats[i], Float.BYTES));
        }
        totalBytes = starts[floats.length];
    }

    long totalBytes() {
        return totalBytes;
    }

    private Span whole(int kind) {
        return new Span(starts[kind], starts[kind + 1] - starts[kind]);
    }

    private Span layer(int kind, int layer) {
        if (layer < 0 || layer >= h.nLayers()) {
            throw new IndexOutOfBoundsException("layer " + layer + " of " + h.nLayers());
        }
        long per = (starts[kind + 1] - starts[kind]) / h.nLayers();
        return new Span(starts[kind] + layer * per, per);
    }

    Span tokenEmbedding() { return whole(EMB); }
    Span rmsAtt(int l) { return layer(RMS_ATT, l); }
    Span wq(int l) { return layer(WQ, l); }
    Span wk(int l) { return layer(WK, l); }
    Span wv(int l) { return layer(WV, l); }
    Span wo(int l) { return layer(WO, l); }
    Span rmsFfn(int l) { return layer(RMS_FFN, l); }
    Span w1(int l) { return layer(W1, l); }
    Span w2(int l) { return layer(W2, l); }
    Span w3(int l) { return layer(W3, l); }
    Span rmsFinal() { return whole(RMS_FINAL); }
    Span wcls() { return whole(WCLS); }
}
