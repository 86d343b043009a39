package dev.morphserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A character range of a UTF-8 text file: the calibration or evaluation text of a command, with a
 * description that says exactly which characters were used (profiles record it).
 */
record TextSlice(String text, String description) {
    static TextSlice read(Path file, int skipChars, int chars) throws IOException {
        if (skipChars < 0 || chars < 1) {
            throw new IllegalArgumentException("character range must start at 0 or later and hold at least 1 character");
        }
        String all = Files.readString(file);
        if (skipChars >= all.length()) {
            throw new IllegalArgumentException(file + " has only " + all.length() + " characters; cannot skip " + skipChars);
        }
        int end = (int) Math.min((long) skipChars + chars, all.length());
        return new TextSlice(all.substring(skipChars, end),
                file.getFileName() + " characters " + skipChars + ".." + end);
    }
}
