package dev.morphserve.gguf;

/**
 * A metadata key is missing or holds a value of the wrong type. Unchecked because callers that
 * build a model config treat it like a bad argument; the message names the key and what was
 * expected, so that the user can tell which converter produced an incompatible file.
 */
public class GgufMetadataException extends IllegalArgumentException {
    public GgufMetadataException(String message) {
        super(message);
    }
}
