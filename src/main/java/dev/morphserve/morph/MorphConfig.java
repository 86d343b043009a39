package dev.morphserve.morph;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Morphing configuration, keys under {@code morphserve.morph.}; checked at start-up. */
@ConfigMapping(prefix = "morphserve.morph")
public interface MorphConfig {

    /** Prepare the host tier and resident copies at start-up, so that morphing can happen at all. */
    @WithDefault("true")
    boolean enabled();

    /** Controller mode at start-up (changeable at POST /v1/morph). */
    @WithDefault("BALANCED")
    MorphMode mode();

    /**
     * Precisions a layer steps through below its base, highest first (the paper's INT8 then INT4):
     * Q8_0 and/or one of Q4_0, Q4_K. Levels not below the model's own precision are dropped at start-up.
     */
    @WithDefault("Q8_0,Q4_0")
    String levels();

    /** Layer profile (swap order); default: beside the model, else front-to-back order. */
    Optional<String> profile();

    /** KV usage above which the engine is under pressure (0..1); the paper's trigger. */
    @WithDefault("0.85")
    double kvUsageHigh();

    /** Queueing delay of the oldest waiting request above which the engine is under pressure; the paper's trigger. */
    @WithDefault("100ms")
    Duration queueDelayHigh();

    /** KV usage below which (with nobody waiting) the engine is calm. */
    @WithDefault("0.5")
    double kvUsageLow();

    /** Recent p90 time to first token above which, with requests waiting, the engine is under pressure (0 = ignore). */
    @WithDefault("2s")
    Duration ttftTarget();

    /** Recent p90 time per output token above which layers are not swapped back up (0 = ignore). */
    @WithDefault("200ms")
    Duration tpotTarget();

    /**
     * How long pressure must last before swapping down (scaled by the mode: 2x accuracy, 1x
     * balanced, 0.5x performance). Short: a burst's first requests already miss a 2 s TTFT
     * objective while the controller waits.
     */
    @WithDefault("500ms")
    Duration hysteresis();

    /**
     * How long calm must last before giving back KV or swapping a layer up. Long: with 10 s the
     * controller swapped back up in a lull between two bursts of one trace and had to swap down again.
     */
    @WithDefault("30s")
    Duration cooldown();

    /**
     * How long {@code POST /v1/morph} waits for a swap to be applied before answering 202 with the
     * command's id (the events stream reports the rest).
     */
    @WithDefault("10s")
    Duration manualWait();

    /** How often the controller looks (a Vert.x timer: {@code @Scheduled} goes no finer than 1 s). */
    @WithDefault("250ms")
    Duration tick();
}
