package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models}: OpenAI's list shape. */
public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<Model> data) {

    public record Model(
            @JsonProperty("id") String id,
            @JsonProperty("object") String object,
            @JsonProperty("created") long createdSeconds,
            @JsonProperty("owned_by") String ownedBy,
            @JsonProperty("max_model_len") int maxModelLength) {}
}
