package dev.morphserve.backend;

/**
 * Memory as a backend reports it: the host's for the CPU backend, the device's for CUDA.
 *
 * @param device     what the memory belongs to ("host", "NVIDIA H200")
 * @param totalBytes the capacity
 * @param freeBytes  what is free now
 */
public record BackendMemory(String device, long totalBytes, long freeBytes) {}
