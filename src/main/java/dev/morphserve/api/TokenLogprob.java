package dev.morphserve.api;

import java.util.List;

/**
 * A token's logprob as the formatters need it: text and bytes instead of ids.
 *
 * @param logprob null only for the first prompt token (echo), which has no context to be scored in
 * @param top     the requested alternatives, most likely first; null with a null logprob
 */
public record TokenLogprob(String token, byte[] bytes, Float logprob, List<Alternative> top) {

    public record Alternative(String token, byte[] bytes, float logprob) {}
}
