package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufFormatException;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.gguf.GgufWriter;
import dev.morphserve.testing.RefModels;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A well-formed file that asks for something the engine does not implement fails at load, in one sentence naming it. */
class ModelLoaderRefusalsTest {
    @TempDir
    Path tmp;

    @Test
    void anUnsupportedArchitectureIsNamed() throws Exception {
        Path file = rewrite(w -> w.putString("general.architecture", "phi3"));
        assertThatThrownBy(() -> ModelLoader.load(file)).isInstanceOf(UnsupportedModelException.class)
                .hasMessage("unsupported model architecture 'phi3' (general.architecture); this engine runs llama, qwen2");
    }

    @Test
    void anUnsupportedRopeScalingIsNamed() throws Exception {
        Path file = rewrite(w -> w.putString("llama.rope.scaling.type", "yarn"));
        assertThatThrownBy(() -> ModelLoader.load(file)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("llama.rope.scaling.type = 'yarn'").hasMessageContaining("supported: none, linear");
    }

    @Test
    void aQwen2FileWithoutItsBiasesNamesTheMissingTensor() throws Exception {
        Path file = rewrite(w -> w.putString("general.architecture", "qwen2")
                .putUInt32("qwen2.embedding_length", 256).putUInt32("qwen2.feed_forward_length", 768)
                .putUInt32("qwen2.block_count", 4).putUInt32("qwen2.attention.head_count", 4)
                .putUInt32("qwen2.attention.head_count_kv", 2).putUInt32("qwen2.context_length", 256));
        assertThatThrownBy(() -> ModelLoader.load(file)).hasMessageContaining("blk.0.attn_q.bias");
    }

    @Test
    void aTypeWithoutKernelsNamesTheTypeAndTheTensor() throws Exception {
        Path out = tmp.resolve("q4_1.gguf");
        try (GgufFile in = GgufFile.open(RefModels.model("ref-llama-F16"));
                Arena arena = Arena.ofConfined()) {
            GgufWriter writer = new GgufWriter();
            writer.copyMetadataFrom(in.metadata());
            for (GgufTensorInfo info : in.tensors()) {
                if (info.name().equals("blk.1.ffn_up.weight")) { // zeros are a valid Q4_1 block
                    writer.addTensor(info.name(), GgmlType.Q4_1, info.ne(),
                            arena.allocate(GgmlType.Q4_1.bytesFor(info.ne()[0] * info.ne()[1])));
                } else {
                    writer.addTensor(info.name(), info.type(), info.ne(), in.data(info));
                }
            }
            writer.write(out);
        }
        assertThatThrownBy(() -> ModelLoader.load(out)).isInstanceOf(GgufFormatException.class)
                .hasMessageStartingWith("tensor 'blk.1.ffn_up.weight' has ggml type Q4_1, which MorphServe cannot compute (supported: F32, F16, ");
    }

    /** ref-llama-F16.gguf with its metadata changed by {@code edit}, tensors as they are. */
    private Path rewrite(Consumer<GgufWriter> edit) throws Exception {
        Path out = tmp.resolve("edited.gguf");
        try (GgufFile in = GgufFile.open(RefModels.model("ref-llama-F16"))) {
            GgufWriter writer = new GgufWriter();
            writer.copyMetadataFrom(in.metadata());
            edit.accept(writer);
            for (GgufTensorInfo info : in.tensors()) {
                writer.addTensor(info.name(), info.type(), info.ne(), in.data(info));
            }
            writer.write(out);
        }
        return out;
    }
}
