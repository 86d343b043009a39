package dev.morphserve.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak memory of this process: resident set (mmapped weights included) and JVM heap. */
public record MemoryUsage(long peakResidentBytes, long heapUsedBytes, long heapMaxBytes) {

    public static MemoryUsage now() {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemoryUsage(peakResident(), heap.getUsed(), heap.getMax());
    }

    /** VmHWM from /proc (Linux); -1 elsewhere. */
    private static long peakResident() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
