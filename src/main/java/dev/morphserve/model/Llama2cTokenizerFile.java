package dev.morphserve.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}): int32 max_token_length,
 * then for each of vocab_size tokens: float32 score, int32 byte length, the piece's UTF-8 bytes.
 * The file does not store its own vocab size; the checkpoint's header says how many pieces to
 * read. Pieces are kept exactly as llama2.c stores them (spaces as ' ', BOS as "\n&lt;s&gt;\n").
 *
 * @param pieces [vocab] raw pieces
 * @param scores [vocab] merge scores (higher merges first)
 */
public record Llama2cTokenizerFile(int maxTokenLength, List<String> pieces, float[] scores) {
    public Llama2cTokenizerFile {
        pieces = Collections.unmodifiableList(new ArrayList<>(pieces));
        scores = scores.clone();
        if (pieces.size() != scores.length) {
            throw new IllegalArgumentException(pieces.size() + " pieces but " + scores.length + " scores");
        }
    }

    @Override
    public float[] scores() {
        return scores.clone();
    }

    public int vocabSize() {
        return pieces.size();
    }

    /** Reads exactly {@code vocabSize} tokens; the file must end right after them. */
    public static Llama2cTokenizerFile read(Path path, int vocabSize) throws IOException {
        // tokenizer files are small (6 KB for 512 tokens, ~430 KB for 32000): read whole
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        String name = path.getFileName().toString();
        need(in, 4, name, "max_token_length");
        int maxTokenLength = in.getInt();
        if (maxTokenLength <= 0) {
            throw new Llama2cFormatException(name + ": max_token_length = " + maxTokenLength + " must be positive");
        }
        List<String> pieces = new ArrayList<>(vocabSize);
        float[] scores = new float[vocabSize]; // [vocab]
        for (int id = 0; id < vocabSize; id++) {
            need(in, 8, name, "score and length of token " + id);
            scores[id] = in.getFloat();
            int at = in.position();
            int len = in.getInt();
            if (len < 0 || len > in.remaining()) {
                throw new Llama2cFormatException(name + ": token " + id + " has length " + len + " at byte offset " + at
                        + " but " + in.remaining() + " bytes remain (truncated, or vocab_size " + vocabSize
                        + " does not match this tokenizer)");
            }
            byte[] utf8 = new byte[len];
            in.get(utf8);
            pieces.add(new String(utf8, StandardCharsets.UTF_8));
        }
        if (in.hasRemaining()) {
            throw new Llama2cFormatException(name + ": " + in.remaining() + " bytes follow the " + vocabSize
                    + " tokens the checkpoint's vocab_size asks for; tokenizer and checkpoint do not match");
        }
        return new Llama2cTokenizerFile(maxTokenLength, pieces, scores);
    }

    private static void need(ByteBuffer in, int n, String name, String what) throws Llama2cFormatException {
        if (in.remaining() < n) {
            throw new Llama2cFormatException(name + " is truncated: " + what + " needs " + n + " bytes at byte offset "
                    + in.position() + ", " + in.remaining() + " remain");
        }
    }
}
