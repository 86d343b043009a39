package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockTable;
import java.util.Arrays;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * A request as the engine thread tracks it (mutable, engine-thread only). Its token list is the
 * prompt followed by what it generated; {@code numComputedTokens} of them have KV in the cache.
 *
 * <pre>
 * tokens:   p0 p1 ... p(n-1) | o0 o1 ... o(k-1)
 *           |<-- numComputedTokens -->|          (recompute preemption resets it to 0)
 * </pre>
 */
final class Request {
    enum Status {
        WAITING,
        RUNNING,
        FINISHED
    }

    final String id;
    final GenerationRequest spec;
    final long arrivalNanos;
    final Sampler sampler;
    final TokenHistory history;
    final BlockTable blockTable = new BlockTable();
    private final MultiEmitter<? super GenerationEvent> emitter;

    private int[] tokens;
    private int numTokens;
    int numComputedTokens;
    int numSwappedTokens;
    long firstScheduledNanos = -1;
    Status status = Status.WAITING;

    Request(GenerationRequest spec, long arrivalNanos, MultiEmitter<? super GenerationEvent> emitter) {
        this.id = spec.requestId();
        this.spec = spec;
        this.arrivalNanos = arrivalNanos;
        this.emitter = emitter;
        this.sampler = new Sampler(spec.sampling());
        this.history = new TokenHistory(spec.promptTokens());
        this.tokens = Arrays.copyOf(spec.promptTokens(), spec.promptTokens().length + Math.min(spec.maxTokens(), 256));
        this.numTokens = spec.promptTokens().length;
    }

    int numTokens() {
        return numTokens;
    }

    int numPromptTokens() {
        return spec.promptTokens().length;
    }

    int numOutputTokens() {
        return numTokens - numPromptTokens();
    }

    int token(int index) {
        return tokens[index];
    }

    /** Tokens not yet in the KV cache (the whole prompt at first, one per decode step later). */
    int numUncomputedTokens() {
        return numTokens - numComputedTokens;
    }

    void appendOutput(int tokenId, int swappedLayers) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[numTokens++] = tokenId;
        history.addOutput(tokenId);
        if (swappedLayers > 0) {
            numSwappedTokens++;
        }
        emitter.emit(new GenerationEvent.Token(tokenId, swappedLayers));
    }

    void finish(FinishReason reason) {
        status = Status.FINISHED;
        long queueNanos = firstScheduledNanos < 0 ? System.nanoTime() - arrivalNanos : firstScheduledNanos - arrivalNanos;
        emitter.emit(new GenerationEvent.Finished(reason, numPromptTokens(), numOutputTokens(), numSwappedTokens, queueNanos));
        emitter.complete();
    }

    /** Ends the stream with an engine failure (the request is already out of the scheduler). */
    void fail(Throwable failure) {
        status = Status.FINISHED;
        if (!emitter.isCancelled()) { // a cancelled stream has nobody left to tell
            emitter.fail(failure);
        }
    }

    boolean isFinished() {
        return status == Status.FINISHED;
    }
}
