package dev.morphserve.morph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A model's measured layer importance: what {@code profile} writes beside the model as
 * {@code <model file>.morph-profile.json} and what serving reads to know which layer to swap next.
 *
 * @param modelFile         file name of the profiled model
 * @param lowType           the low variant's type the scores were measured with (Q4_0, Q8_0)
 * @param calibrationTokens token positions every score averages over
 * @param calibrationSource what text the profile was calibrated on (file and character range)
 * @param layers            one score per layer, layer 0 first
 * @param swapOrder         greedy LIS order, swapped first to last
 * @param mdsReference      what MDS was measured against: {@code chosen-swapped} (Algorithm 1) or {@code full-precision}
 */
public record LayerProfile(String modelFile, String lowType, long calibrationTokens, String calibrationSource,
        List<LayerScore> layers, List<Integer> swapOrder, String mdsReference) {
    public static final String SUFFIX = ".morph-profile.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public LayerProfile {
        if (mdsReference == null) {
            mdsReference = "full-precision"; // profiles written before Algorithm 1's reference was an option
        }
        if (layers == null || swapOrder == null || layers.isEmpty()) {
            throw new IllegalArgumentException("profile has no layers or no swap order");
        }
        layers = List.copyOf(layers);
        swapOrder = List.copyOf(swapOrder);
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).layer() != i) {
                throw new IllegalArgumentException("layer scores are not in layer order at index " + i);
            }
        }
        BitSet seen = new BitSet();
        for (int layer : swapOrder) {
            if (layer < 0 || layer >= layers.size() || seen.get(layer)) {
                throw new IllegalArgumentException("swap order " + swapOrder + " is not a permutation of 0.."
                        + (layers.size() - 1));
            }
            seen.set(layer);
        }
        if (seen.cardinality() != layers.size()) {
            throw new IllegalArgumentException("swap order " + swapOrder + " misses layers of 0.." + (layers.size() - 1));
        }
    }

    /** Where the profile of {@code modelPath} lives: beside it, named after it. */
    public static Path defaultPath(Path modelPath) {
        return modelPath.resolveSibling(modelPath.getFileName() + SUFFIX);
    }

    public void write(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        // write then move: a crash mid-write must not leave a corrupt profile that serving would reject
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a profile; a file that is not a valid profile fails with one line naming it. */
    public static LayerProfile read(Path path) throws IOException {
        try {
            return JSON.readValue(path.toFile(), LayerProfile.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            String why = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IOException("corrupt layer profile " + path + ": " + why + " (delete it or run `profile` again)", e);
        }
    }

    /**
     * The LIS order from the profile beside {@code modelPath}, or front-to-back (0, 1, ...) when
     * none exists. A profile that exists but is corrupt or made for another layer count is an
     * error, not a silent fallback: it means the file is not what the user thinks it is.
     */
    public static SwapOrder loadOrDefault(Path modelPath, int numLayers) throws IOException {
        Path path = defaultPath(modelPath);
        if (!Files.exists(path)) {
            List<Integer> front = new ArrayList<>();
            for (int i = 0; i < numLayers; i++) {
                front.add(i);
            }
            return new SwapOrder(front, false, "front-to-back (no layer profile " + path.getFileName() + " beside the model)");
        }
        LayerProfile profile = read(path);
        if (profile.layers().size() != numLayers) {
            throw new IOException("layer profile " + path + " has " + profile.layers().size()
                    + " layers but the model has " + numLayers + " (run `profile` again)");
        }
        return new SwapOrder(profile.swapOrder(), true, "LIS profile " + path.getFileName());
    }
}
