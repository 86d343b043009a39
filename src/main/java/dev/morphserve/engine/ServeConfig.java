package dev.morphserve.engine;

import dev.morphserve.backend.KernelKind;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Server configuration, keys under {@code morphserve.}; checked at start-up by ModelService. */
@ConfigMapping(prefix = "morphserve")
public interface ServeConfig {

    /** GGUF model file to serve. */
    @WithDefault("../shared/models/stories260K/stories260K.gguf")
    String model();

    /** Context length in tokens; 0 uses the model's {@code context_length}. */
    @WithDefault("0")
    int contextLength();

    /** Worker threads for the kernels; default: available cores. */
    Optional<Integer> threads();

    /** Kernel implementation. */
    @WithDefault("VECTOR")
    KernelKind kernels();
}
