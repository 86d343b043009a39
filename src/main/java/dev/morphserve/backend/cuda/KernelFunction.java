package dev.morphserve.backend.cuda;

import java.util.List;

/**
 * A kernel of the loaded module.
 *
 * @param paramSizes bytes of each parameter, as the PTX declares them
 */
record KernelFunction(String name, long handle, List<Integer> paramSizes) {}
