package dev.morphserve.model;

import dev.morphserve.kvcache.BlockTable;
import java.util.stream.IntStream;

/**
 * The tokens of one step, possibly from several sequences (prefill chunks and decodes mixed).
 *
 * @param tokens        [numTokens] token ids
 * @param positions     [numTokens] position of each token in its sequence
 * @param blockTables   [numTokens] each token's sequence's block table (shared by its tokens);
 *                      it must already cover the token's position
 * @param logitIndices  indices into tokens whose next-token logits are wanted, ascending (the
 *                      last token of each sequence for generation; all of them for perplexity)
 */
public record ForwardBatch(int[] tokens, int[] positions, BlockTable[] blockTables, int[] logitIndices) {
    public ForwardBatch {
        if (positions.length != tokens.length || blockTables.length != tokens.length) {
            throw new IllegalArgumentException("tokens, positions and block tables differ in length");
        }
    }

    public int numTokens() {
        return tokens.length;
    }

    /** Refuses a token id outside {@code [0, vocabSize)}, before any backend reads its embedding row. */
    public void requireTokensBelow(int vocabSize) {
        for (int token : tokens) {
            if (token < 0 || token >= vocabSize) {
                throw new IllegalArgumentException("token id " + token + " outside vocabulary of " + vocabSize);
            }
        }
    }

    /** A single sequence's consecutive tokens starting at {@code startPosition}. */
    public static ForwardBatch ofSequence(int[] tokens, int startPosition, BlockTable table, boolean allLogits) {
        int n = tokens.length;
        int[] positions = IntStream.range(startPosition, startPosition + n).toArray();
        BlockTable[] tables = new BlockTable[n];
        java.util.Arrays.fill(tables, table);
        int[] logits = allLogits ? IntStream.range(0, n).toArray() : new int[] {n - 1};
        return new ForwardBatch(tokens, positions, tables, logits);
    }
}
