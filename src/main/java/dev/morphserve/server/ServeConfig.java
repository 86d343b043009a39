package dev.morphserve.server;

import dev.morphserve.backend.BackendKind;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.kvcache.KvType;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Server configuration, keys under {@code morphserve.}; checked at start-up. */
@ConfigMapping(prefix = "morphserve")
public interface ServeConfig {

    /** GGUF model to serve: a path, or {@code hf:owner/repo/file.gguf} (downloaded once into the cache). */
    @WithDefault("hf:ggml-org/models/tinyllamas/stories260K.gguf")
    String model();

    /** Where Hugging Face downloads go; default $MORPHSERVE_CACHE or ~/.cache/morphserve/models. */
    Optional<String> cacheDir();

    /** Hugging Face endpoint (a mirror, or a local server in tests). */
    @WithDefault("https://huggingface.co")
    String hfEndpoint();

    /** Context length in tokens; 0 uses the model's {@code context_length}. */
    @WithDefault("0")
    int contextLength();

    /** Worker threads for the kernels; default: available cores. */
    Optional<Integer> threads();

    /** Where the model runs: CUDA when a GPU is usable, else the CPU (AUTO), or one of them. */
    @WithDefault("AUTO")
    BackendKind backend();

    /** CPU kernel implementation. */
    @WithDefault("VECTOR")
    KernelKind kernels();

    /**
     * Element type of the KV cache: F16 holds twice the contexts in the same memory; F32 (CPU
     * backend only) keeps the projections' floats exactly.
     */
    @WithDefault("F16")
    KvType kvType();

    /**
     * Interface the HTTP server listens on (feeds {@code quarkus.http.host}). Loopback by default,
     * as llama-server does: serving every interface is a choice (the container image makes it).
     */
    @WithDefault("127.0.0.1")
    String host();

    /**
     * Keys a client must send as {@code Authorization: Bearer <key>} (what the OpenAI SDKs send);
     * absent: no key needed. Health stays open; see {@link Auth} for metrics and morph events.
     */
    Optional<List<String>> apiKeys();

    /**
     * Keys for state changes ({@code POST /v1/morph}); an API key alone is then refused with 403.
     * Absent: state changes take an API key like everything else.
     */
    Optional<List<String>> adminApiKeys();

    /**
     * Browser origins (e.g. {@code https://chat.example.com}, or {@code *}) that may send
     * state-changing requests. Same-origin requests and clients that send no Origin (SDKs, curl)
     * are always allowed; any other page is refused, so a site cannot drive this server through
     * its visitors' browsers.
     */
    Optional<List<String>> allowedOrigins();

    Auth auth();

    Shutdown shutdown();

    Engine engine();

    Memory memory();

    /** Which monitoring routes stay open when API keys are set. */
    interface Auth {
        /** {@code /q/metrics} without a key: Prometheus scrapers rarely carry one (vLLM leaves it open too). */
        @WithDefault("true")
        boolean metricsPublic();

        /** {@code /v1/morph/events} without a key: it shows load and morph decisions, so closed by default. */
        @WithDefault("false")
        boolean morphEventsPublic();
    }

    interface Shutdown {
        /**
         * On SIGTERM, how long running requests may take to finish; new ones get 503 meanwhile.
         * Whatever is still running then ends with an error event.
         */
        @WithDefault("30s")
        Duration grace();
    }

    interface Engine {
        /** Tokens per KV block. */
        @WithDefault("16")
        int blockSize();

        /**
         * Token budget of one step (decodes plus prefill chunks). 256: on a 2-core CPU a 512-token
         * step of a 1024-dim model took about 1.5 s, stalling every running decode and every morph
         * command (they apply between steps) that long.
         */
        @WithDefault("256")
        int maxTokensPerStep();

        /** Requests decoding together at most. */
        @WithDefault("64")
        int maxRunningRequests();

        /** Requests that may wait for admission; beyond, 503. */
        @WithDefault("256")
        int maxWaitingRequests();

        /** Prompt tokens that may wait for admission; beyond, 503. */
        @WithDefault("262144")
        long maxWaitingTokens();

        /** Run a throw-away prefill and decode before taking requests, so the JIT has compiled the kernels. */
        @WithDefault("true")
        boolean warmup();
    }

    interface Memory {
        /**
         * Memory the service may use for resident weights plus KV cache plus reserve. Absent: the
         * KV cache holds {@code default-kv-contexts} full contexts.
         */
        Optional<MemorySize> budget();

        /** Kept free inside the budget for activations and scratch. */
        @WithDefault("64M")
        MemorySize reserve();

        /** KV capacity in full contexts when no budget is set. */
        @WithDefault("8")
        int defaultKvContexts();
    }
}
