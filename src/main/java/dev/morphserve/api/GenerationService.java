package dev.morphserve.api;

import dev.morphserve.api.dto.Usage;
import dev.morphserve.engine.EngineClient;
import dev.morphserve.engine.FinishReason;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.metrics.RequestMetrics;
import dev.morphserve.metrics.RequestTrace;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a prepared request on the engine and turns its token events into {@link OutputEvent}s.
 * The engine stream is cancelled (so the engine aborts the request and frees its KV blocks) when
 * a stop string matches or when our own subscriber goes away (client disconnect); it is left
 * alone once the engine reported {@code Finished}.
 */
@ApplicationScoped
public class GenerationService {
    private final RequestMetrics metrics;

    GenerationService(RequestMetrics metrics) {
        this.metrics = metrics;
    }

    /** A cold stream: nothing reaches the engine until it is subscribed. */
    public Multi<OutputEvent> run(EngineClient engine, PreparedRequest request) {
        return Multi.createFrom().emitter(
                emitter -> new Run(engine, request, emitter, metrics.start(request.arrivalNanos())).start(),
                BackPressureStrategy.BUFFER);
    }

    /** One subscription's state; engine events of one request arrive in order, one at a time. */
    private static final class Run implements MultiSubscriber<GenerationEvent> {
        private final EngineClient engine;
        private final PreparedRequest request;
        private final MultiEmitter<? super OutputEvent> emitter;
        private final RequestTrace trace;
        private final OutputProcessor output;
        private final AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();
        private volatile boolean engineDone;
        /** We ended the stream ourselves (done or failed), as opposed to the client going away. */
        private volatile boolean endedHere;
        private int completionTokens;
        private int swappedTokens;

        Run(EngineClient engine, PreparedRequest request, MultiEmitter<? super OutputEvent> emitter, RequestTrace trace) {
            this.engine = engine;
            this.request = request;
            this.emitter = emitter;
            this.trace = trace;
            this.output = new OutputProcessor(engine.tokenizer(), request.stops(), request.lastPromptToken());
        }

        void start() {
            emitter.onTermination(this::cancelEngine);
            engine.generate(request.engineRequest())
                    .onFailure(IllegalArgumentException.class)
                    .transform(e -> ApiException.badRequest(request.promptParam(), e.getMessage()))
                    .subscribe()
                    .withSubscriber(this);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            if (!upstream.compareAndSet(null, subscription)) {
                subscription.cancel(); // terminated before the engine accepted the request
                return;
            }
            subscription.request(Long.MAX_VALUE); // the engine pushes at its own pace; tokens are small
        }

        @Override
        public void onItem(GenerationEvent event) {
            if (endedHere || emitter.isCancelled()) {
                return;
            }
            switch (event) {
                case GenerationEvent.Token token -> onToken(token);
                case GenerationEvent.Finished finished -> onFinished(finished);
            }
        }

        private void onToken(GenerationEvent.Token token) {
            trace.onToken(token.swappedLayers());
            completionTokens++;
            if (token.layersSwapped()) {
                swappedTokens++;
            }
            emitText(output.accept(token.tokenId()));
            if (output.stopped()) {
                // The engine does not know about stop strings: end here, which aborts it.
                done(FinishReason.STOP, -1);
            }
        }

        private void onFinished(GenerationEvent.Finished finished) {
            engineDone = true;
            emitText(output.finish());
            completionTokens = finished.completionTokens();
            swappedTokens = finished.swappedTokens();
            done(finished.reason(), finished.queueNanos());
        }

        private void done(FinishReason reason, long queueNanos) {
            if (endedHere) {
                return;
            }
            endedHere = true;
            int prompt = request.promptTokens();
            trace.finish(reason.openAiName(), prompt, completionTokens, swappedTokens, queueNanos);
            emitter.emit(new OutputEvent.Done(reason, Usage.of(prompt, completionTokens, swappedTokens)));
            emitter.complete();
            // Abort now: the emitter runs its termination callback only once a slow client has
            // drained the buffer, and the engine would keep generating until then.
            cancelUpstream();
        }

        private void emitText(String text) {
            if (!text.isEmpty()) {
                emitter.emit(new OutputEvent.Text(text));
            }
        }

        @Override
        public void onFailure(Throwable failure) {
            engineDone = true;
            endedHere = true;
            emitter.fail(failure);
        }

        @Override
        public void onCompletion() {
            engineDone = true;
            if (!endedHere && !emitter.isCancelled()) {
                // A stream that ends without Finished breaks the contract; report what we have.
                emitText(output.finish());
                done(FinishReason.ABORT, -1);
            }
        }

        /** Runs on every termination: our completion (stop string), failure, or downstream cancellation. */
        private void cancelEngine() {
            if (!endedHere) {
                trace.finish(FinishReason.ABORT.openAiName(), request.promptTokens(), completionTokens, swappedTokens, -1);
            }
            cancelUpstream();
        }

        private void cancelUpstream() {
            if (engineDone) {
                return;
            }
            Flow.Subscription subscription = upstream.getAndSet(CANCELLED);
            if (subscription != null && subscription != CANCELLED) {
                subscription.cancel();
            }
        }
    }

    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    };
}
