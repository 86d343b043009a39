package dev.morphserve.testing;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;

/** Models the morph tests run on: a tiny synthetic F32 Llama (2 layers) written into a temp dir. */
public final class MorphTestModels {
    /** stories260K.gguf records context 128; it was trained with 512. */
    public static final int STORIES_CONTEXT = 512;

    private MorphTestModels() {}

    public static LoadedModel tiny(Path dir) throws IOException {
        Path path = dir.resolve("tiny-f32.gguf");
        SyntheticModel.write(ModelShape.TINY, GgmlType.F32, 7, path, n -> {});
        return ModelLoader.load(path);
    }

    /** A few words of text that the synthetic vocabulary (letters, pairs, bytes) encodes. */
    public static String text(int words) {
        StringBuilder sb = new StringBuilder();
        String[] pool = {"the", "cat", "sat", "on", "a", "mat", "and", "saw", "big", "red", "dog", "run"};
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < words; i++) {
            sb.append(pool[random.nextInt(pool.length)]).append(i % 9 == 8 ? ". " : " ");
        }
        return sb.toString();
    }
}
