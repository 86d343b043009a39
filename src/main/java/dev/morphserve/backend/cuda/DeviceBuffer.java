package dev.morphserve.backend.cuda;

/**
 * One plain device allocation ({@code cuMemAlloc}): never managed memory.
 *
 * @param address device address of the first byte
 * @param bytes   size asked for
 */
record DeviceBuffer(long address, long bytes) {}
