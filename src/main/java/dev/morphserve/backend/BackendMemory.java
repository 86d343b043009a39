package dev.morphserve.backend;

/**
 * Memory as a backend reports it: the host's for the CPU backend, the device's for CUDA.
 *
 * @param device     what the memory belongs to ("host", "NVIDIA H200")
 * @param totalBytes the capacity
 * @param freeBytes  what is free now
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BackendMemory(String device, long totalBytes, long freeBytes) {}
