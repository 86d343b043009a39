package dev.morphserve.model;

import java.io.IOException;

/** A llama2.c checkpoint or tokenizer file whose bytes do not match what its header promises. */
public class Llama2cFormatException extends IOException {
    public Llama2cFormatException(String message) {
        super(message);
    }
}
