package dev.morphserve.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Named model shapes that {@code synth} can build with random weights. */
public enum ModelShape {
    /** For unit tests: odd sizes so kernels meet tails (96 is not a multiple of 64). */
    TINY("tiny", 96, 160, 2, 4, 2, 320, 128),
    /** A few MB: end-to-end server and CLI tests. */
    SMALL("small", 256, 704, 4, 8, 4, 1024, 512),
    /** About 200M parameters: big enough that weights and KV compete for memory, fast enough to serve here. */
    MEDIUM("medium", 1024, 2816, 12, 16, 4, 32000, 1024),
    /** TinyLlama-1.1B's shape, the reference for speed figures. */
    TINYLLAMA_1_1B("tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, 2048),
    /** Llama-2-7B's shape (multi-head attention, no grouping): the GPU's big-model figures. */
    LLAMA_2_7B("llama-2-7b", 4096, 11008, 32, 32, 32, 32000, 4096);

    private final String shapeName;
    public final int dim;
    public final int ffnDim;
    public final int numLayers;
    public final int numHeads;
    public final int numKvHeads;
    public final int vocabSize;
    public final int contextLength;

    ModelShape(String shapeName, int dim, int ffnDim, int numLayers, int numHeads, int numKvHeads, int vocabSize, int contextLength) {
        this.shapeName = shapeName;
        this.dim = dim;
        this.ffnDim = ffnDim;
        this.numLayers = numLayers;
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.vocabSize = vocabSize;
        this.contextLength = contextLength;
    }

    public String shapeName() {
        return shapeName;
    }

    public int kvDim() {
        return dim / numHeads * numKvHeads;
    }

    public static ModelShape byName(String name) {
        return Arrays.stream(values())
                .filter(s -> s.shapeName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape '" + name + "'; known: "
                        + Arrays.stream(values()).map(ModelShape::shapeName).collect(Collectors.joining(", "))));
    }
}
