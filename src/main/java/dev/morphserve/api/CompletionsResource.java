package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.CompletionRequest;
import dev.morphserve.engine.EngineClient;
import dev.morphserve.engine.GenerationRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestMulti;

/** {@code POST /v1/completions}: OpenAI's legacy completions, prompt as text or token ids. */
@Path("/v1/completions")
public class CompletionsResource {
    /** OpenAI's (and vLLM's) default for this endpoint. */
    static final int DEFAULT_MAX_TOKENS = 16;

    private final ServedEngine engines;
    private final GenerationService generation;
    private final SseFrames frames;
    private final DisconnectWatch disconnects;

    CompletionsResource(ServedEngine engines, GenerationService generation, ObjectMapper mapper, DisconnectWatch disconnects) {
        this.engines = engines;
        this.generation = generation;
        this.frames = new SseFrames(mapper);
        this.disconnects = disconnects;
    }

    /** Blocking: tokenizing a long prompt must not hold a Vert.x event loop. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public RestMulti<String> complete(CompletionRequest body) {
        long arrivalNanos = System.nanoTime();
        if (body == null) {
            throw ApiException.badRequest(null, "A JSON request body is required");
        }
        EngineClient engine = engines.forModel(body.model());
        UnsupportedParameters.check(body);
        RequestValidator.validate(body, "max_tokens");
        OutputOptions out = OutputOptionsValidator.completion(body, vocabularySize(engine));
        int[] prompt = PromptEncoder.completionPrompt(body.prompt(), engine);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        int maxTokens = body.maxTokens() != null ? body.maxTokens() : DEFAULT_MAX_TOKENS;
        var engineRequest = new GenerationRequest(id, prompt, SamplingMapper.from(body, out), maxTokens,
                Boolean.TRUE.equals(body.ignoreEos()), out.n(), out.promptLogprobs());
        var prepared = new PreparedRequest(engineRequest, RequestValidator.stopStrings(body.stop()), "prompt", arrivalNanos, out.echo());
        String echo = out.echo() ? echoText(body.prompt(), prompt, engine) : null;
        var formatter = new CompletionFormatter(frames, id, engine.modelId(), System.currentTimeMillis() / 1000, out.n(), echo,
                out.logprobs() >= 0);
        var events = generation.run(engine, prepared);
        if (body.streaming()) {
            return Responses.eventStream(disconnects.watch(
                    frames.guard(formatter.stream(events, body.includeUsage()), ApiExceptionMappers::describe, formatter::abortFrames), id));
        }
        return Responses.json(disconnects.watch(formatter.aggregate(events), id));
    }

    /** Ids that both the tokenizer and the model's logits know. */
    static int vocabularySize(EngineClient engine) {
        return Math.min(engine.tokenizer().vocabulary().size(), engine.modelConfig().vocabSize());
    }

    /** The prompt as the client wrote it; a prompt of token ids echoes as their text. */
    private static String echoText(JsonNode promptField, int[] promptTokens, EngineClient engine) {
        JsonNode p = promptField.isArray() && promptField.size() == 1 && promptField.get(0).isTextual() ? promptField.get(0) : promptField;
        return p.isTextual() ? p.asText() : engine.tokenizer().decode(promptTokens);
    }
}
