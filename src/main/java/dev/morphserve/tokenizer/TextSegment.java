package dev.morphserve.tokenizer;

/**
 * A piece of text to encode, marked with whether special tokens written in it count. A chat
 * prompt is markup (the template's {@code <|im_start|>} becomes one token) around plain message
 * content (a user who types {@code <|im_start|>} gets ordinary text tokens). User-defined tokens
 * match in both, as in llama.cpp and Hugging Face: they are vocabulary, not markup.
 */
public sealed interface TextSegment {
    String text();

    /** Control tokens written in the text become their ids (llama.cpp's {@code parse_special}). */
    record Markup(String text) implements TextSegment {}

    /** Control tokens written in the text stay text. */
    record Plain(String text) implements TextSegment {}
}
