package dev.morphserve.model;

import java.nio.file.Path;

/**
 * Where a model comes from: a local file, or a file of a Hugging Face repository written
 * {@code hf:owner/repo/path/in/repo.gguf} (downloaded once into the cache).
 */
public sealed interface ModelReference {

    record LocalFile(Path path) implements ModelReference {}

    record HuggingFace(String owner, String repo, String file) implements ModelReference {
        /** The repository-relative download path, as the Hub's resolve endpoint takes it. */
        public String resolvePath() {
            return owner + "/" + repo + "/resolve/main/" + file;
        }
    }

    static ModelReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("no model given: pass a GGUF path or hf:owner/repo/file.gguf");
        }
        if (!reference.startsWith("hf:")) {
            return new LocalFile(Path.of(reference));
        }
        String[] parts = reference.substring(3).split("/", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty() || parts[2].contains("..")) {
            throw new IllegalArgumentException("'" + reference + "' is not a Hugging Face reference of the form hf:owner/repo/file.gguf");
        }
        return new HuggingFace(parts[0], parts[1], parts[2]);
    }
}
