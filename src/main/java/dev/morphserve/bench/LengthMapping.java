package dev.morphserve.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What {@link LengthMapper} did, for the report: the mode, the context it fitted to, the scale
 * factor (1 for clip) and how many requests still had to be clipped.
 */
public record LengthMapping(
        String mode, int contextTokens, double scaleFactor, int clippedRequests, int totalRequests,
        @JsonIgnore List<TimedRequest> requests) {

    public String describe() {
        return String.format("%s to context %d: scale factor %.4f, %d of %d requests clipped",
                mode, contextTokens, scaleFactor, clippedRequests, totalRequests);
    }
}
