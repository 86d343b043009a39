package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A chat choice's {@code logprobs}: one entry per generated token, with its UTF-8 bytes. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ChatLogprobs(@JsonProperty("content") List<Entry> content) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Entry(
            @JsonProperty("token") String token,
            @JsonProperty("logprob") float logprob,
            @JsonProperty("bytes") List<Integer> bytes,
            @JsonProperty("top_logprobs") List<Top> topLogprobs) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Top(@JsonProperty("token") String token, @JsonProperty("logprob") float logprob, @JsonProperty("bytes") List<Integer> bytes) {}
}
