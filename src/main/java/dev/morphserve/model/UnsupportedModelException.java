package dev.morphserve.model;

import dev.morphserve.gguf.GgufFormatException;

/**
 * A well-formed GGUF file asks for something this engine does not implement (an architecture, a
 * RoPE scaling, a tensor type): the message names it and what is supported.
 */
public class UnsupportedModelException extends GgufFormatException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
