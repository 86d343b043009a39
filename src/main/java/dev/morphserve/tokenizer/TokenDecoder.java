package dev.morphserve.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Streams token ids into text. Byte-fallback tokens can split one UTF-8 character over several
 * tokens, so bytes are held back until they form whole characters; streaming clients then never
 * see half a character.
 */
public final class TokenDecoder {
    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);

    public TokenDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Text that became complete with this token (possibly empty). */
    public String next(int previousId, int id) {
        pending.writeBytes(tokenizer.decodeBytes(previousId, id));
        return drain(false);
    }

    /** Whatever is still held back, with broken sequences replaced by U+FFFD. */
    public String flush() {
        return drain(true);
    }

    private String drain(boolean endOfInput) {
        byte[] bytes = pending.toByteArray();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        utf8.reset();
        // REPLACE never reports errors: an incomplete tail simply stays in `in` for the next token.
        utf8.decode(in, out, endOfInput);
        if (endOfInput) {
            utf8.flush(out);
        }
        pending.reset();
        pending.write(bytes, in.position(), in.remaining());
        return out.flip().toString();
    }
}
