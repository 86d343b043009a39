package dev.morphserve.api;

import dev.morphserve.engine.EngineClient;
import dev.morphserve.engine.EngineOverloadedException;
import dev.morphserve.engine.FinishReason;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.TokenLogprobs;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.tokenizer.Tokenizer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A deterministic engine for API tests, over the synthetic model's real tokenizer. It answers
 * every prompt with the pieces of {@link #SCRIPT} (" ba ca da ea fa ga ha ia"), then EOS
 * (finish stop) unless ignore_eos, cycling again after it; max_tokens gives finish length.
 * Every second token counts as generated with layers swapped. With n > 1, choice c starts c pieces
 * into the script and the choices' tokens interleave. Asked for logprobs, a token gets -0.5 and
 * alternatives -2, -3, ... after itself (the next script pieces); prompt tokens get -2. Tokens come from a thread of its
 * own, as from the real engine thread. Tests can make it refuse (overloaded), slow it down, set a
 * chat template, and read which requests it saw and which were cancelled.
 */
@Alternative
@ApplicationScoped
public class FakeEngineClient implements EngineClient {
    static final List<String> SCRIPT = List.of("▁ba", "▁ca", "▁da", "▁ea", "▁fa", "▁ga", "▁ha", "▁ia");
    static final String SCRIPT_TEXT = " ba ca da ea fa ga ha ia";
    static final long QUEUE_NANOS = 2_000_000;

    private final Path modelPath;
    private final ScheduledExecutorService engineThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-engine");
        t.setDaemon(true);
        return t;
    });
    private volatile LoadedModel model;

    // Tests reach this bean through its client proxy: state is private and read through methods.
    private volatile Integer overloadedRetryAfterSeconds;
    private volatile long tokenDelayMillis;
    private volatile String chatTemplate;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();

    FakeEngineClient(@ConfigProperty(name = "morphserve.model") String modelPath) {
        this.modelPath = Path.of(modelPath);
    }

    /** Back to defaults; tests call it first because the application (and this bean) is shared. */
    public void reset() {
        overloadedRetryAfterSeconds = null;
        tokenDelayMillis = 0;
        chatTemplate = null;
        cancelled.clear();
        requests.clear();
    }

    public GenerationRequest lastRequest() {
        return requests.getLast();
    }

    public List<GenerationRequest> requests() {
        return List.copyOf(requests);
    }

    public boolean wasCancelled(String requestId) {
        return cancelled.contains(requestId);
    }

    /** Refuse every request as the engine does when its waiting queue is full. */
    public void overload(int retryAfterSeconds) {
        overloadedRetryAfterSeconds = retryAfterSeconds;
    }

    public void tokenDelay(long millis) {
        tokenDelayMillis = millis;
    }

    public void chatTemplate(String template) {
        chatTemplate = template;
    }

    @Override
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        return Multi.createFrom().<GenerationEvent>emitter(emitter -> {
                    if (overloadedRetryAfterSeconds != null) {
                        emitter.fail(new EngineOverloadedException("The waiting queue is full", overloadedRetryAfterSeconds));
                        return;
                    }
                    if (request.promptTokens().length + 1 > modelConfig().contextLength()) {
                        emitter.fail(new IllegalArgumentException("prompt too long"));
                        return;
                    }
                    requests.add(request);
                    engineThread.execute(() -> {
                        if (request.wantsPromptLogprobs()) {
                            emitter.emit(new GenerationEvent.PromptLogprobs(promptLogprobs(request)));
                        }
                        step(request, emitter, new int[request.n()], new int[request.n()], new boolean[request.n()]);
                    });
                })
                .onCancellation().invoke(() -> cancelled.add(request.requestId()));
    }

    /** One round: a token for every choice still going; -1 in generated marks a finished choice. */
    private void step(GenerationRequest request, MultiEmitter<? super GenerationEvent> emitter, int[] generated, int[] swapped, boolean[] done) {
        int context = modelConfig().contextLength();
        while (!emitter.isCancelled()) {
            for (int c = 0; c < request.n(); c++) {
                if (done[c]) {
                    continue;
                }
                int position = (generated[c] + c) % (SCRIPT.size() + 1);
                boolean eos = position == SCRIPT.size();
                if (eos && !request.ignoreEos()) {
                    done[c] = true;
                    emitter.emit(new GenerationEvent.Finished(c, FinishReason.STOP, request.promptTokens().length, generated[c], swapped[c], QUEUE_NANOS));
                    continue;
                }
                int id = eos ? tokenizer().vocabulary().eosId() : tokenizer().vocabulary().idOf(SCRIPT.get(position));
                boolean layersSwapped = generated[c] % 2 == 1;
                TokenLogprobs logprobs = request.sampling().wantsLogprobs() ? logprobs(id, -0.5f, position, request.sampling().logprobs()) : null;
                emitter.emit(new GenerationEvent.Token(c, id, layersSwapped ? 1 : 0, logprobs));
                generated[c]++;
                swapped[c] += layersSwapped ? 1 : 0;
                if (generated[c] >= request.maxTokens() || request.promptTokens().length + generated[c] >= context) {
                    done[c] = true;
                    emitter.emit(new GenerationEvent.Finished(c, FinishReason.LENGTH, request.promptTokens().length, generated[c], swapped[c], QUEUE_NANOS));
                }
            }
            boolean all = true;
            for (boolean d : done) {
                all &= d;
            }
            if (all) {
                emitter.complete();
                return;
            }
            if (tokenDelayMillis > 0) {
                engineThread.schedule(() -> step(request, emitter, generated, swapped, done), tokenDelayMillis, TimeUnit.MILLISECONDS);
                return;
            }
        }
    }

    /** The token itself first, then the script pieces after {@code position}, at -2, -3, ... */
    private TokenLogprobs logprobs(int id, float logprob, int position, int top) {
        List<TokenLogprobs.Candidate> candidates = new ArrayList<>();
        for (int j = 0; j < top; j++) {
            int other = j == 0 ? id : tokenizer().vocabulary().idOf(SCRIPT.get((position + j) % SCRIPT.size()));
            candidates.add(new TokenLogprobs.Candidate(other, j == 0 ? logprob : -j - 1f));
        }
        return new TokenLogprobs(id, logprob, candidates);
    }

    private List<TokenLogprobs> promptLogprobs(GenerationRequest request) {
        int[] prompt = request.promptTokens();
        List<TokenLogprobs> list = new ArrayList<>();
        for (int p = 1; p < prompt.length; p++) {
            list.add(logprobs(prompt[p], -2f, p, request.promptLogprobs()));
        }
        return list;
    }

    @Override
    public String modelId() {
        return modelPath.getFileName().toString();
    }

    @Override
    public ModelConfig modelConfig() {
        return model().config();
    }

    @Override
    public Tokenizer tokenizer() {
        return model().tokenizer();
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    private LoadedModel model() {
        LoadedModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    try {
                        model = ModelLoader.load(modelPath);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                m = model;
            }
        }
        return m;
    }

    @PreDestroy
    void close() {
        engineThread.shutdownNow();
        if (model != null) {
            model.close();
        }
    }
}
