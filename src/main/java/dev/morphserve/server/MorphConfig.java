package dev.morphserve.server;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.morph.MorphMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Morphing configuration, keys under {@code morphserve.morph.}. */
@ConfigMapping(prefix = "morphserve.morph")
public interface MorphConfig {

    /** Prepare low variants and resident copies at start-up, so that morphing can happen at all. */
    @WithDefault("true")
    boolean enabled();

    /** Controller mode at start-up (changeable at POST /v1/morph). */
    @WithDefault("ACCURACY")
    MorphMode mode();

    /** Precision of the low variants: Q4_0 or Q8_0. */
    @WithDefault("Q4_0")
    GgmlType lowType();

    /** Layer profile (swap order); default: beside the model, else front-to-back order. */
    Optional<String> profile();

    /** KV usage above which the engine is under pressure (0..1). */
    @WithDefault("0.85")
    double kvUsageHigh();

    /** Queueing delay of the oldest waiting request above which the engine is under pressure. */
    @WithDefault("100ms")
    Duration queueDelayHigh();

    /** KV usage below which (with nobody waiting) the engine is calm. */
    @WithDefault("0.5")
    double kvUsageLow();

    /**
     * How long pressure must last before swapping down (doubled in ACCURACY mode). Short: a burst's
     * first requests already miss a 2 s TTFT objective while the controller waits.
     */
    @WithDefault("500ms")
    Duration hysteresis();

    /**
     * How long calm must last before swapping a layer back up. Long: with 10 s the controller swapped
     * back up in a lull between two bursts of one trace and had to swap down again.
     */
    @WithDefault("30s")
    Duration cooldown();
}
