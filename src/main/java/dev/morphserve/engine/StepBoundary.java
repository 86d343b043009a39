package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import java.util.List;

/**
 * What code running between two steps on the engine thread may touch: the block pool and the
 * block tables of every request that holds blocks (the KV resizer rewrites them). Valid only
 * during the call it is passed to.
 */
public interface StepBoundary {

    BlockPool pool();

    List<BlockTable> liveBlockTables();
}
