package dev.morphserve.api;

import dev.morphserve.engine.GenerationRequest;
import java.util.List;

/**
 * A validated request ready for the engine: the engine's part plus what only the API layer
 * needs (stop strings, the arrival time for latency metrics).
 *
 * @param promptParam  the request field that holds the prompt ("prompt" or "messages"), for errors
 * @param arrivalNanos {@link System#nanoTime()} when the HTTP request reached the resource
 * @param echo         the formatters put the prompt first: {@link OutputEvent.Prompt} comes first
 */
public record PreparedRequest(GenerationRequest engineRequest, List<String> stops, String promptParam, long arrivalNanos, boolean echo) {

    public PreparedRequest(GenerationRequest engineRequest, List<String> stops, String promptParam, long arrivalNanos) {
        this(engineRequest, stops, promptParam, arrivalNanos, false);
    }

    public int promptTokens() {
        return engineRequest.promptTokens().length;
    }

    public int lastPromptToken() {
        int[] prompt = engineRequest.promptTokens();
        return prompt[prompt.length - 1];
    }

    public int n() {
        return engineRequest.n();
    }

    public boolean wantsLogprobs() {
        return engineRequest.sampling().wantsLogprobs();
    }
}
