package dev.morphserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ChatCompletionRequest;
import dev.morphserve.engine.EngineClient;
import dev.morphserve.engine.GenerationRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestMulti;

/** {@code POST /v1/chat/completions}: messages rendered with the model's chat template. */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {
    private final ServedEngine engines;
    private final GenerationService generation;
    private final SseFrames frames;
    private final DisconnectWatch disconnects;

    ChatCompletionsResource(ServedEngine engines, GenerationService generation, ObjectMapper mapper, DisconnectWatch disconnects) {
        this.engines = engines;
        this.generation = generation;
        this.frames = new SseFrames(mapper);
        this.disconnects = disconnects;
    }

    /** Blocking: template rendering and tokenizing must not hold a Vert.x event loop. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public RestMulti<String> chat(ChatCompletionRequest body) {
        long arrivalNanos = System.nanoTime();
        if (body == null) {
            throw ApiException.badRequest(null, "A JSON request body is required");
        }
        EngineClient engine = engines.forModel(body.model());
        UnsupportedParameters.check(body);
        RequestValidator.validate(body, body.maxTokensParam());
        OutputOptions out = OutputOptionsValidator.chat(body, CompletionsResource.vocabularySize(engine));
        int[] prompt = PromptEncoder.chatPrompt(body.messages(), engine);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        // Without a limit, chat answers may run to the end of the context (vLLM's default).
        int maxTokens = body.maxTokens() != null ? body.maxTokens() : engine.modelConfig().contextLength() - prompt.length;
        var engineRequest = new GenerationRequest(id, prompt, SamplingMapper.from(body, out), maxTokens,
                Boolean.TRUE.equals(body.ignoreEos()), out.n(), -1);
        var prepared = new PreparedRequest(engineRequest, RequestValidator.stopStrings(body.stop()), "messages", arrivalNanos);
        var formatter = new ChatFormatter(frames, id, engine.modelId(), System.currentTimeMillis() / 1000, out.n(), out.logprobs() >= 0);
        var events = generation.run(engine, prepared);
        if (body.streaming()) {
            return Responses.eventStream(disconnects.watch(
                    frames.guard(formatter.stream(events, body.includeUsage()), ApiExceptionMappers::describe, formatter::abortFrames), id));
        }
        return Responses.json(disconnects.watch(formatter.aggregate(events), id));
    }
}
