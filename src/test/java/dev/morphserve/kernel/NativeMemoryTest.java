package dev.morphserve.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
    @Test
    void smallAndHugeBlocksAreZeroedAlignedAndWritableToTheirLastByte() {
        try (Arena arena = Arena.ofConfined()) {
            for (long bytes : new long[] {1, 4096 + 3, (4L << 20) - 1, (4L << 20) + 12_345, 9L << 20}) {
                MemorySegment seg = NativeMemory.allocateZeroed(bytes, arena);
                assertThat(seg.byteSize()).isEqualTo(bytes);
                assertThat(seg.address() % 64).as("64-byte aligned, %d bytes", bytes).isZero();
                for (long at = 0; at < bytes; at += 4093) {
                    assertThat(seg.get(ValueLayout.JAVA_BYTE, at)).as("zero at %d of %d", at, bytes).isZero();
                }
                seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
                seg.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
                assertThat(seg.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 7);
            }
        }
    }

    @Test
    void blocksWithoutAnArenaAreFreedWhenUnreachableWithoutHarm() throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            MemorySegment seg = NativeMemory.allocateZeroed(8L << 20, null);
            seg.set(ValueLayout.JAVA_LONG, 8 * 1000, i);
        }
        System.gc();
        Thread.sleep(100);
        MemorySegment again = NativeMemory.allocateZeroed(8L << 20, null);
        assertThat(again.get(ValueLayout.JAVA_LONG, 8 * 1000)).isZero();
    }
}
