package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code stream_options}: only {@code include_usage} exists in OpenAI's API. */
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}
