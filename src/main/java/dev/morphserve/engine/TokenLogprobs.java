package dev.morphserve.engine;

import java.util.List;

/**
 * The log-probability of a token at one position and the most likely alternatives there, under the
 * model's raw distribution (see {@link Logprobs} for which distribution and why).
 *
 * @param top the {@code N} most likely tokens, most likely first (ties: lower id first); may or may
 *            not contain {@code tokenId}
 */
public record TokenLogprobs(int tokenId, float logprob, List<Candidate> top) {
    public TokenLogprobs {
        top = List.copyOf(top);
    }

    /** One alternative token and its log-probability. */
    public record Candidate(int tokenId, float logprob) {}
}
