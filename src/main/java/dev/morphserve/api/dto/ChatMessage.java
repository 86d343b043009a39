package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** One input message; {@code content} is a string or an array of {@code {type: text, text}} parts. */
public record ChatMessage(
        @JsonProperty("role") String role,
        @JsonProperty("content") JsonNode content,
        @JsonProperty("name") String name) {}
