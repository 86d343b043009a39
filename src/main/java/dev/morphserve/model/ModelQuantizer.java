package dev.morphserve.model;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufMetadata;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.gguf.GgufWriter;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorConverter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a GGUF with its 2-D weight matrices in the types a {@link QuantScheme} picks (ggml's reference
 * quantizers, so the bytes equal llama-quantize's for the same source). Norms stay F32; a matrix whose
 * rows the wanted type cannot encode (stories260K's ffn_down has 172 columns; llama.cpp's Q5_0 fallback
 * of Q4_K) stays in its source type.
 */
public final class ModelQuantizer {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    private ModelQuantizer() {}

    /** @param types how many matrices ended up in each type (kept ones included) */
    public record Report(int converted, int kept, long bytesBefore, long bytesAfter, Map<GgmlType, Integer> types) {}

    /** Every selected matrix in {@code target} (see {@link #quantize(Path, Path, QuantScheme, IntPredicate, boolean)}). */
    public static Report quantize(Path input, Path output, GgmlType target, IntPredicate layers, boolean includeNonLayer)
            throws IOException {
        return quantize(input, output, new QuantScheme.Pure(target), layers, includeNonLayer);
    }

    /**
     * @param layers which decoder layers to convert (others and non-layer tensors follow
     *               {@code includeNonLayer}); {@code i -> true} converts every layer
     */
    public static Report quantize(Path input, Path output, QuantScheme scheme, IntPredicate layers,
            boolean includeNonLayer) throws IOException {
        int converted = 0;
        int kept = 0;
        long before = 0;
        long after = 0;
        Map<GgmlType, Integer> types = new EnumMap<>(GgmlType.class);
        try (GgufFile in = GgufFile.open(input);
                Arena arena = Arena.ofConfined()) {
            GgufWriter writer = new GgufWriter();
            writer.copyMetadataFrom(in.metadata());
            writer.putUInt32("general.file_type", scheme.fileType());
            Slots slots = new Slots(in);
            for (GgufTensorInfo info : in.tensors()) {
                Tensor tensor = in.tensor(info.name());
                before += tensor.byteSize();
                boolean matrix = info.ne().length == 2;
                GgmlType target = matrix ? scheme.typeFor(slots.of(info.name())) : info.type();
                boolean wanted = matrix && selected(info.name(), layers, includeNonLayer);
                GgmlType written = info.type();
                if (wanted && tensor.type() != target && TensorConverter.canConvert(tensor, target)) {
                    Tensor q = TensorConverter.convert(tensor, target, arena);
                    writer.addTensor(info.name(), target, info.ne(), q.data());
                    after += q.byteSize();
                    converted++;
                    written = target;
                } else {
                    writer.addTensor(info.name(), info.type(), info.ne(), in.data(info));
                    after += tensor.byteSize();
                    kept++;
                }
                if (matrix) {
                    types.merge(written, 1, Integer::sum);
                }
            }
            writer.write(output);
        }
        return new Report(converted, kept, before, after, types);
    }

    /**
     * Numbers the matrices as llama.cpp's quantizer does: in its order (by layer number, non-layer
     * tensors first, then by name), the i-th attn_v out of the attn_v count and the i-th ffn_down out of
     * the layer count; token_embd counts as the output when the model ties them.
     */
    private static final class Slots {
        private final Map<String, QuantScheme.MatrixSlot> byName = new HashMap<>();

        Slots(GgufFile file) {
            List<GgufTensorInfo> matrices = file.tensors().stream().filter(t -> t.ne().length == 2)
                    .sorted(Comparator.comparingInt(ModelQuantizer::layerOf).thenComparing(GgufTensorInfo::name))
                    .toList();
            int attnV = (int) matrices.stream().filter(t -> MatrixRole.of(t.name()) == MatrixRole.ATTN_V).count();
            GgufMetadata meta = file.metadata();
            String arch = meta.findString("general.architecture").orElse("llama");
            int layers = meta.getInt(arch + ".block_count", attnV);
            int heads = meta.getInt(arch + ".attention.head_count", 1);
            int gqa = heads / Math.max(1, meta.getInt(arch + ".attention.head_count_kv", heads));
            boolean tied = matrices.stream().noneMatch(t -> t.name().equals("output.weight"));
            Map<MatrixRole, Integer> seen = new EnumMap<>(MatrixRole.class);
            for (GgufTensorInfo t : matrices) {
                MatrixRole role = MatrixRole.of(t.name());
                if (role == MatrixRole.TOKEN_EMBD && tied) {
                    role = MatrixRole.OUTPUT;
                }
                int index = seen.merge(role, 1, Integer::sum) - 1;
                byName.put(t.name(), new QuantScheme.MatrixSlot(role, index, role == MatrixRole.ATTN_V ? attnV : layers,
                        (int) t.dim(0), gqa));
            }
        }

        QuantScheme.MatrixSlot of(String name) {
            return byName.get(name);
        }
    }

    /** The layer of a blk.N. tensor, -1 for the others. */
    private static int layerOf(GgufTensorInfo t) {
        Matcher m = LAYER.matcher(t.name());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static boolean selected(String name, IntPredicate layers, boolean includeNonLayer) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? layers.test(Integer.parseInt(m.group(1))) : includeNonLayer;
    }
}
