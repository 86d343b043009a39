package dev.morphserve.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and thread count of a process, from Linux's {@code /proc/<pid>/status}: the
 * figures a leak shows in first, and cheap enough to read every few seconds.
 */
public record ProcStatus(long rssBytes, int threads) {

    public static ProcStatus read(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** Reads {@code VmRSS: <n> kB} and {@code Threads: <n>}; fails when either is missing. */
    public static ProcStatus parse(String status) {
        long rssBytes = -1;
        int threads = -1;
        for (String line : status.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].equals("VmRSS:") && fields.length >= 2) {
                long value = Long.parseLong(fields[1]);
                // The kernel writes kB (KiB) here; say so when it ever does otherwise.
                if (fields.length < 3 || !fields[2].equals("kB")) {
                    throw new IllegalArgumentException("VmRSS in an unknown unit: " + line);
                }
                rssBytes = value * 1024;
            } else if (fields[0].equals("Threads:") && fields.length >= 2) {
                threads = Integer.parseInt(fields[1]);
            }
        }
        if (rssBytes < 0 || threads < 0) {
            throw new IllegalArgumentException("no VmRSS or Threads line in the process status (a kernel thread, or not Linux?)");
        }
        return new ProcStatus(rssBytes, threads);
    }
}
