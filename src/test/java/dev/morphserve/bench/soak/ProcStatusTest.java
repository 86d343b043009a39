package dev.morphserve.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatusTest {
    @Test
    void readsResidentKibibytesAndThreads() {
        String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\nThreads:\t42\nSigQ:\t0/1\n";
        assertThat(ProcStatus.parse(status)).isEqualTo(new ProcStatus(123456L * 1024, 42));
    }

    @Test
    void refusesAStatusWithoutTheFigures() {
        assertThatThrownBy(() -> ProcStatus.parse("Name:\tkthreadd\nThreads:\t1\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VmRSS");
    }

    @Test
    void readsThisProcess() throws Exception {
        ProcStatus self = ProcStatus.read(ProcessHandle.current().pid());
        assertThat(self.rssBytes()).isGreaterThan(1 << 20);
        assertThat(self.threads()).isGreaterThan(1);
    }
}
