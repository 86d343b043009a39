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
import java.util.ArrayList;
import java.util.List;
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
        private final Choice[] choices;
        private final LogprobsDecoder logprobs;
        private final AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();
        private volatile boolean engineDone;
        /** We ended the stream ourselves (done or failed), as opposed to the client going away. */
        private volatile boolean endedHere;
        private boolean promptSent;
        private int choicesDone;
        private FinishReason firstReason = FinishReason.ABORT;
        private long queueNanos = -1;

        /** One choice's text, stop strings and logprobs still waiting for their text. */
        private final class Choice {
            final int index;
            final OutputProcessor output;
            final List<TokenLogprob> pendingLogprobs;
            int previousId;
            int completionTokens;
            int swappedTokens;
            boolean done;

            Choice(int index) {
                this.index = index;
                this.output = new OutputProcessor(engine.tokenizer(), request.stops(), request.lastPromptToken());
                this.pendingLogprobs = request.wantsLogprobs() ? new ArrayList<>() : null;
                this.previousId = request.lastPromptToken();
            }

            /**
             * Logprobs travel with the text that their tokens release: a token whose text is held
             * back (a possible stop string, part of a character) has its logprobs sent with the
             * next text that shows, or at the end of the choice.
             */
            void emitText(String text, boolean end) {
                boolean hasLogprobs = pendingLogprobs != null && !pendingLogprobs.isEmpty();
                if (!text.isEmpty() || (end && hasLogprobs)) {
                    List<TokenLogprob> carried = pendingLogprobs == null ? null : List.copyOf(pendingLogprobs);
                    if (pendingLogprobs != null) {
                        pendingLogprobs.clear();
                    }
                    emitter.emit(new OutputEvent.Text(index, text, carried));
                }
            }
        }

        Run(EngineClient engine, PreparedRequest request, MultiEmitter<? super OutputEvent> emitter, RequestTrace trace) {
            this.engine = engine;
            this.request = request;
            this.emitter = emitter;
            this.trace = trace;
            this.logprobs = new LogprobsDecoder(engine.tokenizer());
            this.choices = new Choice[request.n()];
            for (int i = 0; i < choices.length; i++) {
                choices[i] = new Choice(i);
            }
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
            // The echoed prompt goes out with the first engine event, not before, so that a refusal
            // by the engine still gets its own status code.
            if (request.echo() && !promptSent) {
                promptSent = true;
                emitter.emit(new OutputEvent.Prompt(event instanceof GenerationEvent.PromptLogprobs p
                        ? logprobs.prompt(request.engineRequest().promptTokens(), p.logprobs())
                        : null));
            }
            switch (event) {
                case GenerationEvent.Token token -> onToken(token);
                case GenerationEvent.Finished finished -> onFinished(finished);
                case GenerationEvent.PromptLogprobs ignored -> {}
            }
        }

        private void onToken(GenerationEvent.Token token) {
            Choice choice = choices[token.index()];
            if (choice.done) {
                return; // it matched a stop string; its sequence runs on until the others end
            }
            trace.onToken(token.swappedLayers());
            choice.completionTokens++;
            if (token.layersSwapped()) {
                choice.swappedTokens++;
            }
            if (choice.pendingLogprobs != null && token.logprobs() != null) {
                choice.pendingLogprobs.add(logprobs.decode(choice.previousId, token.logprobs()));
            }
            choice.previousId = token.tokenId();
            choice.emitText(choice.output.accept(token.tokenId()), false);
            if (choice.output.stopped()) {
                // The engine does not know about stop strings: this choice ends here.
                choice.emitText("", true);
                finishChoice(choice, FinishReason.STOP);
            }
        }

        private void onFinished(GenerationEvent.Finished finished) {
            queueNanos = finished.queueNanos();
            Choice choice = choices[finished.index()];
            if (choice.done) {
                return;
            }
            choice.emitText(choice.output.finish(), true);
            choice.completionTokens = finished.completionTokens();
            choice.swappedTokens = finished.swappedTokens();
            finishChoice(choice, finished.reason());
        }

        private void finishChoice(Choice choice, FinishReason reason) {
            choice.done = true;
            if (choice.index == 0) {
                firstReason = reason;
            }
            emitter.emit(new OutputEvent.Finish(choice.index, reason));
            if (++choicesDone == choices.length) {
                done();
            }
        }

        /** Every choice is over: usage counts the prompt once and the choices' tokens summed (as OpenAI). */
        private void done() {
            if (endedHere) {
                return;
            }
            endedHere = true;
            int prompt = request.promptTokens();
            int completion = 0;
            int swapped = 0;
            for (Choice c : choices) {
                completion += c.completionTokens;
                swapped += c.swappedTokens;
            }
            trace.finish(firstReason.openAiName(), prompt, completion, swapped, queueNanos);
            emitter.emit(new OutputEvent.Done(Usage.of(prompt, completion, swapped)));
            emitter.complete();
            // Abort now: the emitter runs its termination callback only once a slow client has
            // drained the buffer, and the engine would keep generating until then.
            cancelUpstream();
        }

        private int completionTokens() {
            int sum = 0;
            for (Choice c : choices) {
                sum += c.completionTokens;
            }
            return sum;
        }

        private int swappedTokens() {
            int sum = 0;
            for (Choice c : choices) {
                sum += c.swappedTokens;
            }
            return sum;
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
                // A stream that ends without every Finished breaks the contract; report what we have.
                for (Choice choice : choices) {
                    if (!choice.done) {
                        choice.emitText(choice.output.finish(), true);
                        finishChoice(choice, FinishReason.ABORT);
                    }
                }
            }
        }

        /** Runs on every termination: our completion (stop string), failure, or downstream cancellation. */
        private void cancelEngine() {
            if (!endedHere) {
                trace.finish(FinishReason.ABORT.openAiName(), request.promptTokens(), completionTokens(), swappedTokens(), -1);
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
