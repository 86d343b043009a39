package dev.morphserve.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.morphserve.backend.cuda.CudaProbe;
import dev.morphserve.backend.cuda.CudaUnavailableException;
import dev.morphserve.kvcache.KvType;
import org.junit.jupiter.api.Test;

/** Choosing a backend on a machine without a GPU (this JVM loads no stand-in driver). */
class BackendsTest {

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        assumeFalse(CudaProbe.probe().available(), "this machine has a GPU");
        try (Backend backend = Backends.create(BackendKind.AUTO, 1, KernelKind.VECTOR, KvType.F16)) {
            assertThat(backend).isInstanceOf(CpuBackend.class);
            assertThat(backend.description()).startsWith("cpu (vector kernels, 1 thread, F16 KV cache; auto: ");
        }
    }

    @Test
    void askingForCudaWithoutAGpuFailsWithOneSentence() {
        assumeFalse(CudaProbe.probe().available(), "this machine has a GPU");
        assertThatThrownBy(() -> Backends.create(BackendKind.CUDA, 1, KernelKind.VECTOR, KvType.F16))
                .isInstanceOf(CudaUnavailableException.class)
                .hasMessageContaining("CUDA")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void cudaRefusesAnF32KvCacheWithOneSentenceBeforeLookingForAGpu() {
        assertThatThrownBy(() -> Backends.create(BackendKind.CUDA, 1, KernelKind.VECTOR, KvType.F32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("F16 only")
                .hasMessageContaining("--kv-type f16")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void theCpuBackendKeepsTheKvTypeItWasAskedFor() {
        for (KvType type : KvType.values()) {
            try (Backend backend = Backends.create(BackendKind.CPU, 1, KernelKind.VECTOR, type)) {
                var config = new dev.morphserve.model.ModelConfig("llama", 64, 128, 2, 4, 2, 32, 64, 1e-5f, 10000f, 16,
                        dev.morphserve.model.RopeLayout.NORMAL);
                assertThat(backend.kvLayout(config, 16).type()).isEqualTo(type);
                assertThat(backend.kvLayout(config, 16).blockBytes()).isEqualTo(2L * 2 * 16 * config.kvDim() * type.bytes());
                assertThat(backend.description()).contains(type + " KV cache");
            }
        }
    }

    @Test
    void theProbeAnswersTheSameTwice() {
        assertThat(CudaProbe.probe()).isSameAs(CudaProbe.probe());
    }
}
