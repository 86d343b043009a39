package dev.morphserve.gguf;

import java.io.IOException;

/**
 * The bytes of a GGUF file do not follow the format (truncated, corrupt, unsupported version or
 * type). The message always says what is wrong and where: a byte offset, a metadata key or a
 * tensor name, so that a user can tell a damaged download from a file of a newer format.
 */
public class GgufFormatException extends IOException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
