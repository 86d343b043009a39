package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}, nulls kept. */
public record ErrorResponse(@JsonProperty("error") Detail error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(
            @JsonProperty("message") String message,
            @JsonProperty("type") String type,
            @JsonProperty("param") String param,
            @JsonProperty("code") String code) {}

    public static ErrorResponse of(String message, String type, String param, String code) {
        return new ErrorResponse(new Detail(message, type, param, code));
    }
}
