package dev.morphserve.model;

/**
 * The tokens of one step, possibly from several sequences (prefill chunks and decodes mixed).
 *
 * @param tokens         [numTokens] token ids
 * @param positions      [numTokens] position of each token in its sequence
 * @param slotMappings   [numTokens] the KV slots of each token's sequence (tokens of one sequence
 *                       share one mapping)
 * @param logitIndices   indices into tokens whose next-token logits are wanted, ascending (the
 *                       last token of each sequence for generation; all of them for perplexity)
 */
public record ForwardBatch(int[] tokens, int[] positions, KvCache.SlotMapping[] slotMappings, int[] logitIndices) {
    public ForwardBatch {
        if (positions.length != tokens.length || slotMappings.length != tokens.length) {
            throw new IllegalArgumentException("tokens, positions and slot mappings differ in length");
        }
    }

    public int numTokens() {
        return tokens.length;
    }

    /** A single sequence's consecutive tokens starting at {@code startPosition}. */
    public static ForwardBatch ofSequence(int[] tokens, int startPosition, KvCache.SlotMapping slots, boolean allLogits) {
        int n = tokens.length;
        int[] positions = new int[n];
        KvCache.SlotMapping[] mappings = new KvCache.SlotMapping[n];
        for (int i = 0; i < n; i++) {
            positions[i] = startPosition + i;
            mappings[i] = slots;
        }
        int[] logits = allLogits ? java.util.stream.IntStream.range(0, n).toArray() : new int[] {n - 1};
        return new ForwardBatch(tokens, positions, mappings, logits);
    }
}
