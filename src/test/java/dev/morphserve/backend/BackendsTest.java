package dev.morphserve.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.morphserve.backend.cuda.CudaProbe;
import dev.morphserve.backend.cuda.CudaUnavailableException;
import org.junit.jupiter.api.Test;

/** Choosing a backend on a machine without a GPU (this JVM loads no stand-in driver). */
class BackendsTest {

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        assumeFalse(CudaProbe.probe().available(), "this machine has a GPU");
        try (Backend backend = Backends.create(BackendKind.AUTO, 1, KernelKind.VECTOR)) {
            assertThat(backend).isInstanceOf(CpuBackend.class);
            assertThat(backend.description()).startsWith("cpu (vector kernels, 1 thread; auto: ");
        }
    }

    @Test
    void askingForCudaWithoutAGpuFailsWithOneSentence() {
        assumeFalse(CudaProbe.probe().available(), "this machine has a GPU");
        assertThatThrownBy(() -> Backends.create(BackendKind.CUDA, 1, KernelKind.VECTOR))
                .isInstanceOf(CudaUnavailableException.class)
                .hasMessageContaining("CUDA")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void theProbeAnswersTheSameTwice() {
        assertThat(CudaProbe.probe()).isSameAs(CudaProbe.probe());
    }
}
