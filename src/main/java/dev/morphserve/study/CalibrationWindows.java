package dev.morphserve.study;

import java.util.ArrayList;
import java.util.List;

/**
 * Calibration text cut into forward passes the way {@code Perplexity} cuts it: the token stream
 * after BOS in consecutive windows, each run as [BOS] + window in a fresh cache, so a profile sees
 * the same contexts that perplexity and serving see.
 *
 * @param inputs one token array per window: BOS then up to windowTokens - 1 text tokens
 */
public record CalibrationWindows(List<int[]> inputs) {
    public CalibrationWindows {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no calibration tokens: the calibration text is empty");
        }
    }

    /**
     * @param tokens       encoded text, tokens[0] = BOS
     * @param windowTokens positions per forward pass, BOS included (at most the context length)
     */
    public static CalibrationWindows of(int[] tokens, int windowTokens) {
        if (windowTokens < 2) {
            throw new IllegalArgumentException("calibration window must hold BOS and a token, got " + windowTokens);
        }
        List<int[]> inputs = new ArrayList<>();
        int textPerWindow = windowTokens - 1;
        for (int start = 1; start < tokens.length; start += textPerWindow) {
            int n = Math.min(textPerWindow, tokens.length - start);
            int[] input = new int[n + 1];
            input[0] = tokens[0];
            System.arraycopy(tokens, start, input, 1, n);
            inputs.add(input);
        }
        return new CalibrationWindows(inputs);
    }

    /** Positions in all windows, BOS included: the number of token cosines each score averages. */
    public long totalTokens() {
        return inputs.stream().mapToLong(w -> w.length).sum();
    }

    public int maxWindowTokens() {
        return inputs.stream().mapToInt(w -> w.length).max().orElse(0);
    }
}
