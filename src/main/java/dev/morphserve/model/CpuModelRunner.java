package dev.morphserve.model;

import dev.morphserve.kernel.Kernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.kvcache.KvCache;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.tensor.TensorCodec;

/**
 * The batched Llama forward pass on the CPU: all tokens of a step go through each layer together, so every
 * weight matrix is read once per step whether the step is a 512-token prefill or 16 decodes.
 *
 * <pre>
 * x [T x dim] --rmsnorm--> q,k,v = Wq,Wk,Wv * x (+ bias) --rope--> store k,v --attention--> Wo --(+x)-->
 *           --rmsnorm--> silu(Wgate * x) * (Wup * x) --> Wdown --(+x)--> ... --> norm --> Wout
 * </pre>
 *
 * One runner per engine thread: scratch buffers are reused between steps.
 */
public final class CpuModelRunner implements ModelRunner {
    private final ModelConfig config;
    private final WeightsTable weights;
    private final Kernels kernels;
    private final WorkerPool pool;
    private final Rope rope;
    private final KvType kvType;
    private final Attention attention;
    private Scratch scratch;

    /** @param kvType element type of the KV cache this runner writes and reads */
    public CpuModelRunner(ModelConfig config, WeightsTable weights, Kernels kernels, WorkerPool pool, KvType kvType) {
        this.config = config;
        this.weights = weights;
        this.kernels = kernels;
        this.pool = pool;
        this.rope = new Rope(config);
        this.kvType = kvType;
        this.attention = new Attention(config, kvType);
        this.scratch = new Scratch(0, 0);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public WeightsTable weights() {
        return weights;
    }

    @Override
    public LayerWeights prepare(LayerWeights l) {
        return l.mapMatrices(kernels::prepare);
    }

    @Override
    public KvLayout kvLayout(int blockSize) {
        return config.kvLayout(blockSize, kvType);
    }

    @Override
    public KvStorageFactory kvStorage() {
        return KvStorageFactory.HOST;
    }

    @Override
    public float[] forward(ForwardBatch batch, KvCache cache, HiddenStateObserver observer) {
        batch.requireTokensBelow(config.vocabSize());
        if (cache.layout().type() != kvType) {
            throw new IllegalArgumentException("this runner keeps its KV cache in " + kvType + " and was given a cache of "
                    + cache.layout().type() + ": allocate the pool with the runner's kvLayout(blockSize)");
        }
        int numTokens = batch.numTokens();
        int maxPosition = 0;
        for (int p : batch.positions()) {
            maxPosition = Math.max(maxPosition, p);
        }
        Scratch s = scratchFor(numTokens, maxPosition + 1);
        int dim = config.dim();
        for (int t = 0; t < numTokens; t++) {
            TensorCodec.decodeRow(weights.tokenEmbedding(), batch.tokens()[t], s.x, t * dim);
        }
        observer.afterLayer(-1, s.x, numTokens);
        for (int l = 0; l < config.numLayers(); l++) {
            attentionBlock(l, weights.layer(l), batch, cache, s);
            feedForwardBlock(weights.layer(l), numTokens, s);
            observer.afterLayer(l, s.x, numTokens);
        }
        return logits(batch, s);
    }

    private void attentionBlock(int layer, LayerWeights w, ForwardBatch batch, KvCache cache, Scratch s) {
        int n = batch.numTokens();
        int dim = config.dim();
        int kvDim = config.kvDim();
        Norms.rmsNorm(s.xb, s.x, w.attnNorm(), n, dim, config.rmsNormEps());
        kernels.matmul(w.wq(), s.xb, n, s.q);
        kernels.matmul(w.wk(), s.xb, n, s.k);
        kernels.matmul(w.wv(), s.xb, n, s.v);
        w.bias().addTo(s.q, s.k, s.v, n);
        for (int t = 0; t < n; t++) {
            int position = batch.positions()[t];
            rope.apply(s.q, t * dim, config.numHeads(), position);
            rope.apply(s.k, t * kvDim, config.numKvHeads(), position);
            attention.store(s.k, s.v, t * kvDim, position, batch.blockTables()[t], cache, layer);
        }
        // Every token's K/V is stored before any attention runs: a prefill token may attend to
        // earlier tokens of the same step.
        int heads = config.numHeads();
        pool.run(n * heads, (i, worker) -> {
            int t = i / heads;
            attention.attendHead(s.q, t * dim, i % heads, batch.positions()[t], batch.blockTables()[t], cache, layer,
                    s.attnOut, s.scores[worker]);
        });
        kernels.matmul(w.wo(), s.attnOut, n, s.xb);
        for (int i = 0; i < n * dim; i++) {
            s.x[i] += s.xb[i];
        }
    }

    private void feedForwardBlock(LayerWeights w, int n, Scratch s) {
        int dim = config.dim();
        int ffn = config.ffnDim();
        Norms.rmsNorm(s.xb, s.x, w.ffnNorm(), n, dim, config.rmsNormEps());
        kernels.matmul(w.wGate(), s.xb, n, s.gate);
        kernels.matmul(w.wUp(), s.xb, n, s.up);
        pool.run(n, (t, worker) -> SwiGlu.apply(s.gate, s.up, t * ffn, (t + 1) * ffn)); // token rows shared out
        kernels.matmul(w.wDown(), s.gate, n, s.xb);
        for (int i = 0; i < n * dim; i++) {
            s.x[i] += s.xb[i];
        }
    }

    private float[] logits(ForwardBatch batch, Scratch s) {
        int dim = config.dim();
        int[] rows = batch.logitIndices();
        if (rows.length == 0) {
            return new float[0]; // a step of prefill chunks only: nobody samples yet
        }
        float[] selected = new float[rows.length * dim];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(s.x, rows[i] * dim, selected, i * dim, dim);
        }
        Norms.rmsNorm(selected, selected, weights.outputNorm(), rows.length, dim, config.rmsNormEps());
        float[] logits = new float[rows.length * config.vocabSize()];
        kernels.matmul(weights.output(), selected, rows.length, logits);
        return logits;
    }

    private Scratch scratchFor(int numTokens, int contextTokens) {
        if (scratch.numTokens < numTokens || scratch.contextTokens < contextTokens) {
            scratch = new Scratch(Math.max(numTokens, scratch.numTokens), Math.max(contextTokens, scratch.contextTokens));
        }
        return scratch;
    }

    /** Activations of one step, sized for the largest step so far. */
    private final class Scratch {
        final int numTokens;
        final int contextTokens;
        final float[] x; //       [T x dim] residual stream
        final float[] xb; //      [T x dim] normed input / projection output
        final float[] q; //       [T x dim]
        final float[] k; //       [T x kvDim]
        final float[] v; //       [T x kvDim]
        final float[] attnOut; // [T x dim]
        final float[] gate; //    [T x ffnDim]
        final float[] up; //      [T x ffnDim]
        final float[][] scores; // [workers][context] attention scores per worker

        Scratch(int numTokens, int contextTokens) {
            this.numTokens = numTokens;
            this.contextTokens = contextTokens;
            int dim = config.dim();
            x = new float[numTokens * dim];
            xb = new float[numTokens * dim];
            q = new float[numTokens * dim];
            k = new float[numTokens * config.kvDim()];
            v = new float[numTokens * config.kvDim()];
            attnOut = new float[numTokens * dim];
            gate = new float[numTokens * config.ffnDim()];
            up = new float[numTokens * config.ffnDim()];
            scores = new float[pool.parallelism()][contextTokens];
        }
    }
}
