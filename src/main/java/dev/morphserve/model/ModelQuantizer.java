package dev.morphserve.model;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.gguf.GgufWriter;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorConverter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a GGUF with its 2-D weight matrices in another type (ggml's reference quantizers, so the
 * bytes equal llama-quantize's for the same source). Norms stay F32; matrices whose rows do not
 * split into blocks of the target stay in their source type, as llama.cpp does.
 */
public final class ModelQuantizer {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    private ModelQuantizer() {}

    /** llama.cpp's general.file_type for a model whose matrices are mostly {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("cannot quantize to " + type);
        };
    }

    public record Report(int converted, int kept, long bytesBefore, long bytesAfter) {}

    /**
     * @param layers which decoder layers to convert (others and non-layer tensors follow
     *               {@code includeNonLayer}); {@code i -> true} converts every layer
     */
    public static Report quantize(Path input, Path output, GgmlType target, IntPredicate layers, boolean includeNonLayer)
            throws IOException {
        int converted = 0;
        int kept = 0;
        long before = 0;
        long after = 0;
        try (GgufFile in = GgufFile.open(input);
                Arena arena = Arena.ofConfined()) {
            GgufWriter writer = new GgufWriter();
            writer.copyMetadataFrom(in.metadata());
            writer.putUInt32("general.file_type", fileType(target));
            for (GgufTensorInfo info : in.tensors()) {
                Tensor tensor = in.tensor(info.name());
                before += tensor.byteSize();
                boolean wanted = info.ne().length == 2 && selected(info.name(), layers, includeNonLayer);
                if (wanted && tensor.type() != target && TensorConverter.canConvert(tensor, target)) {
                    Tensor q = TensorConverter.convert(tensor, target, arena);
                    writer.addTensor(info.name(), target, info.ne(), q.data());
                    after += q.byteSize();
                    converted++;
                } else {
                    writer.addTensor(info.name(), info.type(), info.ne(), in.data(info));
                    after += tensor.byteSize();
                    kept++;
                }
            }
            writer.write(output);
        }
        return new Report(converted, kept, before, after);
    }

    private static boolean selected(String name, IntPredicate layers, boolean includeNonLayer) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? layers.test(Integer.parseInt(m.group(1))) : includeNonLayer;
    }
}
