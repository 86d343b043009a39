package dev.morphserve.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: byte-level BPE vocabularies spell every byte as one printable
 * character, so that pieces are text and never contain whitespace or control characters. The
 * printable Latin-1 bytes stand for themselves; the other 68 bytes take U+0100 upwards in byte
 * order (space is 'Ġ' U+0120, newline 'Ċ' U+010A).
 */
final class ByteLevelAlphabet {
    private static final char[] CHAR_OF_BYTE = new char[256];
    /** Indexed by character; -1 for characters that stand for no byte. */
    private static final int[] BYTE_OF_CHAR = new int[256 + 68];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The text's UTF-8 bytes, one stand-in character each. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes a piece stands for. A character outside the table (a malformed vocabulary) stays
     * itself in UTF-8 instead of failing, so decoding never loses text.
     */
    static byte[] decode(String piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < piece.length() ? i + 2 : i + 1;
                out.writeBytes(piece.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return out.toByteArray();
    }

    /** The stand-in character of one byte. */
    static char charOf(int unsignedByte) {
        return CHAR_OF_BYTE[unsignedByte];
    }
}
