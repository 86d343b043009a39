package dev.morphserve.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels the build put into the jar ({@code src/main/cuda/build.sh}): PTX for compute_80 and
 * cubins that ptxas made from that same PTX for sm_80, sm_89 and sm_90. A device loads the cubin
 * of its compute capability and falls back to the PTX, which the driver compiles for it.
 *
 * <p>The PTX also tells each kernel's parameter sizes, so a launch with a wrong argument list fails
 * here with the kernel's name instead of corrupting memory on the device.
 */
final class KernelImage {
    static final String RESOURCE_DIR = "/cuda/";
    /** The PTX targets compute_80: older devices cannot load it. */
    static final int MIN_COMPUTE_CAPABILITY = 80;
    private static final String PTX = "morphserve.ptx";
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+(?:\\[(\\d+)])?");

    private final byte[] ptx;
    private final Map<String, List<Integer>> paramSizes;

    private KernelImage(byte[] ptx) {
        this.ptx = ptx;
        this.paramSizes = parseParams(new String(ptx, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The packaged kernels, or empty when this jar was built without nvcc. */
    static Optional<KernelImage> packaged() {
        return read(PTX).map(KernelImage::new);
    }

    /** What the driver should load for a device of this compute capability (major * 10 + minor). */
    LoadableImage forDevice(int computeCapability) {
        String cubin = "morphserve.sm_" + computeCapability + ".cubin";
        return read(cubin).map(bytes -> new LoadableImage(cubin, bytes))
                .orElseGet(() -> new LoadableImage(PTX + " (JIT-compiled by the driver)", nulTerminated(ptx)));
    }

    /** Parameter sizes in bytes of every kernel, in order. */
    Map<String, List<Integer>> paramSizes() {
        return paramSizes;
    }

    /** @param description which file, for the start-up line */
    record LoadableImage(String description, byte[] bytes) {}

    private static byte[] nulTerminated(byte[] text) {
        byte[] out = java.util.Arrays.copyOf(text, text.length + 1);
        out[text.length] = 0;
        return out;
    }

    private static Optional<byte[]> read(String name) {
        try (InputStream in = KernelImage.class.getResourceAsStream(RESOURCE_DIR + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CUDA kernels " + name + " from the jar", e);
        }
    }

    static Map<String, List<Integer>> parseParams(String ptxText) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        Matcher entry = ENTRY.matcher(ptxText);
        while (entry.find()) {
            List<Integer> sizes = new java.util.ArrayList<>();
            Matcher param = PARAM.matcher(entry.group(2));
            while (param.find()) {
                sizes.add(param.group(2) != null ? Integer.parseInt(param.group(2)) : scalarBytes(param.group(1)));
            }
            out.put(entry.group(1), List.copyOf(sizes));
        }
        return out;
    }

    private static int scalarBytes(String ptxType) {
        return switch (ptxType.substring(1)) {
            case "8" -> 1;
            case "16" -> 2;
            case "32" -> 4;
            case "64" -> 8;
            default -> throw new IllegalStateException("unexpected PTX parameter type ." + ptxType);
        };
    }
}
