package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import java.util.Arrays;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One sequence of a request as the engine thread tracks it (mutable, engine-thread only); a request
 * with {@code n > 1} has n of them in one {@link SequenceGroup}. Its token list is the prompt
 * followed by what it generated; {@code numComputedTokens} of them have KV in the cache.
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
    final SequenceGroup group;
    /** The choice this sequence answers (0 .. n-1). */
    final int index;
    final long arrivalNanos;
    final Sampler sampler;
    final TokenHistory history;
    final BlockTable blockTable = new BlockTable();

    private int[] tokens;
    private int numTokens;
    int numComputedTokens;
    int numSwappedTokens;
    long firstScheduledNanos = -1;
    Status status = Status.WAITING;

    /** The first (or only) sequence of a request. */
    Request(GenerationRequest spec, long arrivalNanos, MultiEmitter<? super GenerationEvent> emitter) {
        this(new SequenceGroup(spec, emitter), 0, arrivalNanos);
    }

    private Request(SequenceGroup group, int index, long arrivalNanos) {
        this.id = group.spec.requestId();
        this.spec = group.spec;
        this.group = group;
        this.index = index;
        this.arrivalNanos = arrivalNanos;
        // Distinct seeds make the choices differ under sampling; seed + index keeps the request reproducible.
        this.sampler = new Sampler(spec.sampling().withSeed(spec.sampling().seed() + index));
        this.history = new TokenHistory(spec.promptTokens());
        this.tokens = Arrays.copyOf(spec.promptTokens(), spec.promptTokens().length + Math.min(spec.maxTokens(), 256));
        this.numTokens = spec.promptTokens().length;
        group.add(this);
    }

    /**
     * Sequence {@code index} of this request, forked from this one once its prompt is computed: it
     * holds a reference to each of the first {@code sharedBlocks} (full) prompt blocks and
     * recomputes the rest of the prompt itself, so that no block is ever written by two sequences.
     */
    Request fork(int index, int sharedBlocks, BlockPool pool) {
        if (numOutputTokens() != 0) {
            throw new IllegalStateException("a sequence forks before its first output token");
        }
        Request child = new Request(group, index, arrivalNanos);
        for (int i = 0; i < sharedBlocks; i++) {
            child.blockTable.add(pool.share(blockTable.get(i)));
        }
        child.numComputedTokens = sharedBlocks * pool.blockSize();
        child.firstScheduledNanos = firstScheduledNanos;
        child.status = Status.RUNNING;
        return child;
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
        appendOutput(tokenId, swappedLayers, null);
    }

    void appendOutput(int tokenId, int swappedLayers, TokenLogprobs logprobs) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[numTokens++] = tokenId;
        history.addOutput(tokenId);
        if (swappedLayers > 0) {
            numSwappedTokens++;
        }
        group.emit(new GenerationEvent.Token(index, tokenId, swappedLayers, logprobs));
    }

    void finish(FinishReason reason) {
        status = Status.FINISHED;
        long queueNanos = firstScheduledNanos < 0 ? System.nanoTime() - arrivalNanos : firstScheduledNanos - arrivalNanos;
        group.finished(new GenerationEvent.Finished(index, reason, numPromptTokens(), numOutputTokens(), numSwappedTokens, queueNanos));
    }

    /** Ends the stream with an engine failure (the sequence is already out of the scheduler). */
    void fail(Throwable failure) {
        status = Status.FINISHED;
        group.fail(failure);
    }

    boolean isFinished() {
        return status == Status.FINISHED;
    }
}
