package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits trace token lengths onto a model's context window. Traces come from models with 8K-200K
 * contexts; replayed against stories260K (512) they would be rejected, so every request is made to
 * satisfy {@code 1 <= prompt}, {@code 1 <= output}, {@code prompt + output <= context}.
 *
 * <ul>
 *   <li>{@code clip}: lengths kept as they are unless they do not fit, then clipped.
 *   <li>{@code scale}: every prompt and output length is multiplied by one factor chosen so that the
 *       trace's p99 of prompt+output fits the context (factor 1 if it already fits); this keeps
 *       the shape of the length distribution, then the remaining 1 % is clipped.
 * </ul>
 *
 * Clipping a request that does not fit: the shorter side keeps its length up to half the context
 * and the longer side gets the rest. A 4808-token prompt with 10 output tokens becomes
 * 2038 + 10 in 2048, not 1024 + 10; two long sides share the context evenly.
 */
public final class LengthMapper {
    public enum Mode { CLIP, SCALE }

    private LengthMapper() {}

    public static LengthMapping map(List<TimedRequest> requests, int contextTokens, Mode mode) {
        if (contextTokens < 2) {
            throw new IllegalArgumentException("--context must be >= 2 (one prompt and one output token), got " + contextTokens);
        }
        double factor = mode == Mode.SCALE ? scaleFactor(requests, contextTokens) : 1.0;
        List<TimedRequest> mapped = new ArrayList<>(requests.size());
        int clipped = 0;
        for (TimedRequest r : requests) {
            // Rounded down: then every request at or below the p99 fits without clipping.
            int prompt = Math.max(1, (int) Math.floor(r.promptTokens() * factor));
            int output = Math.max(1, (int) Math.floor(r.outputTokens() * factor));
            int[] fit = fit(prompt, output, contextTokens);
            if (fit[0] != prompt || fit[1] != output) {
                clipped++;
            }
            mapped.add(r.withLengths(fit[0], fit[1]));
        }
        return new LengthMapping(mode.name().toLowerCase(), contextTokens, factor, clipped, requests.size(), List.copyOf(mapped));
    }

    /** min(1, context / p99(prompt + output)): scaling never makes a request longer. */
    static double scaleFactor(List<TimedRequest> requests, int contextTokens) {
        if (requests.isEmpty()) {
            return 1.0;
        }
        double[] totals = requests.stream().mapToDouble(r -> (double) r.promptTokens() + r.outputTokens()).toArray();
        double p99 = Percentiles.of(totals, 99);
        return p99 <= contextTokens ? 1.0 : contextTokens / p99;
    }

    /** {prompt, output} with both >= 1 and their sum <= context; inputs already >= 1. */
    static int[] fit(int prompt, int output, int contextTokens) {
        if ((long) prompt + output <= contextTokens) {
            return new int[] {prompt, output};
        }
        int half = contextTokens / 2;
        if (prompt <= output) {
            int keptPrompt = Math.min(prompt, half);
            return new int[] {keptPrompt, contextTokens - keptPrompt};
        }
        int keptOutput = Math.min(output, half);
        return new int[] {contextTokens - keptOutput, keptOutput};
    }
}
