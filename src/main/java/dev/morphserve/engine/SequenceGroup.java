package dev.morphserve.engine;

import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequences of one request (OpenAI's {@code n} choices) and the one stream they share. The
 * first sequence prefills the prompt; when its prompt is computed, {@link EngineCore} forks the
 * others from it. The stream completes when the last live sequence finishes. Engine thread only.
 */
final class SequenceGroup {
    final GenerationRequest spec;
    private final MultiEmitter<? super GenerationEvent> emitter;
    private final List<Request> sequences = new ArrayList<>(1);
    private int unfinished;
    private boolean failed;
    private boolean forked;
    /** Prompt logprobs by position while the first sequence prefills (null unless asked; [0] stays null). */
    private TokenLogprobs[] promptLogprobs;

    SequenceGroup(GenerationRequest spec, MultiEmitter<? super GenerationEvent> emitter) {
        this.spec = spec;
        this.emitter = emitter;
        this.promptLogprobs = spec.wantsPromptLogprobs() ? new TokenLogprobs[spec.promptTokens().length] : null;
    }

    void add(Request sequence) {
        sequences.add(sequence);
        unfinished++;
    }

    List<Request> sequences() {
        return List.copyOf(sequences);
    }

    /** True once the other n - 1 sequences were made (or n is 1): forking happens once per request. */
    boolean needsFork() {
        return !forked && spec.n() > 1;
    }

    void markForked() {
        forked = true;
    }

    /** Null when not asked for or already sent. */
    TokenLogprobs[] pendingPromptLogprobs() {
        return promptLogprobs;
    }

    /** Sends the prompt logprobs once, before the first token. */
    void sendPromptLogprobs() {
        if (promptLogprobs != null) {
            List<TokenLogprobs> list = new ArrayList<>(promptLogprobs.length - 1);
            for (int p = 1; p < promptLogprobs.length; p++) {
                list.add(promptLogprobs[p]);
            }
            promptLogprobs = null;
            emitter.emit(new GenerationEvent.PromptLogprobs(list));
        }
    }

    void emit(GenerationEvent event) {
        emitter.emit(event);
    }

    void finished(GenerationEvent.Finished event) {
        emitter.emit(event);
        if (--unfinished == 0) {
            emitter.complete();
        }
    }

    /** Ends the stream with an engine failure, once (a cancelled stream has nobody left to tell). */
    void fail(Throwable failure) {
        if (!failed && !emitter.isCancelled()) {
            emitter.fail(failure);
        }
        failed = true;
    }

    /** Every sequence made so far has finished (the stream is over). */
    boolean isFinished() {
        return sequences.stream().allMatch(Request::isFinished);
    }
}
