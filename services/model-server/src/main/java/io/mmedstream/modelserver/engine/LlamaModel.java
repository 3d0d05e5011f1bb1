package io.mmedstream.modelserver.engine;

import java.nio.file.Path;
import java.util.Arrays;

import io.mmedstream.modelserver.service.ModelServerException;

/**
 * A Llama decoder in plain Java, numerically the trainer's model ({@code services/trainer/mmed_trainer/model.py}):
 * RMSNorm computed in float precision, rotary embeddings in the {@code rotate_half} convention with
 * {@code inv_freq = 1 / theta^(2i/d)} (and the linear and llama3 scalings), grouped-query attention where query head
 * {@code h} reads key/value head {@code h / (heads / kv_heads)}, a SwiGLU MLP {@code down(silu(gate(x)) * up(x))},
 * optional biases, optional tied embeddings. Weights are float arrays in PyTorch's {@code [out, in]} layout.
 *
 * <p>One {@link Session} per sequence holds its key/value cache; {@link #forward} runs a block of new tokens (the
 * whole prompt at once, then one token per step) and returns the logits. The model is immutable and thread-safe:
 * sessions are not shared between threads.
 */
public final class LlamaModel {

    private final LlamaConfig config;
    private final float[] embed;
    private final float[] lmHead;
    private final float[] finalNorm;
    private final Layer[] layers;
    private final float[] cos;
    private final float[] sin;
    private final ComputePool pool;

    /** The weights of one decoder layer; biases are null when the config has none. */
    record Layer(float[] inputNorm, float[] wq, float[] bq, float[] wk, float[] bk, float[] wv, float[] bv,
                 float[] wo, float[] bo, float[] postNorm, float[] wGate, float[] bGate, float[] wUp, float[] bUp,
                 float[] wDown, float[] bDown) {
    }

    private LlamaModel(LlamaConfig config, float[] embed, float[] lmHead, float[] finalNorm, Layer[] layers,
                       ComputePool pool) {
        this.config = config;
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        this.pool = pool;
        int half = config.headDim() / 2;
        float[] invFreq = inverseFrequencies(config);
        int positions = config.maxPositionEmbeddings();
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i]; // float32 product, as position_ids.float() * inv_freq
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Loads config.json and the safetensors weights of a Hugging Face Llama checkpoint directory. */
    public static LlamaModel load(Path dir, ComputePool pool) {
        LlamaConfig c = LlamaConfig.load(dir);
        Safetensors st = Safetensors.openCheckpoint(dir);
        long d = c.hiddenSize();
        long q = c.queryDim();
        long kv = c.kvDim();
        long inter = c.intermediateSize();
        float[] embed = st.floats("model.embed_tokens.weight", c.vocabSize(), d);
        float[] head = c.tieWordEmbeddings() ? embed : st.floats("lm_head.weight", c.vocabSize(), d);
        Layer[] layers = new Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            boolean ab = c.attentionBias();
            boolean mb = c.mlpBias();
            layers[i] = new Layer(
                    st.floats(p + "input_layernorm.weight", d),
                    st.floats(p + "self_attn.q_proj.weight", q, d), ab ? st.floats(p + "self_attn.q_proj.bias", q) : null,
                    st.floats(p + "self_attn.k_proj.weight", kv, d), ab ? st.floats(p + "self_attn.k_proj.bias", kv) : null,
                    st.floats(p + "self_attn.v_proj.weight", kv, d), ab ? st.floats(p + "self_attn.v_proj.bias", kv) : null,
                    st.floats(p + "self_attn.o_proj.weight", d, q), ab ? st.floats(p + "self_attn.o_proj.bias", d) : null,
                    st.floats(p + "post_attention_layernorm.weight", d),
                    st.floats(p + "mlp.gate_proj.weight", inter, d), mb ? st.floats(p + "mlp.gate_proj.bias", inter) : null,
                    st.floats(p + "mlp.up_proj.weight", inter, d), mb ? st.floats(p + "mlp.up_proj.bias", inter) : null,
                    st.floats(p + "mlp.down_proj.weight", d, inter), mb ? st.floats(p + "mlp.down_proj.bias", d) : null);
        }
        float[] norm = st.floats("model.norm.weight", d);
        return new LlamaModel(c, embed, head, norm, layers, pool);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Parameter count (a tied head counted once). */
    public long parameterCount() {
        long n = embed.length + finalNorm.length + (lmHead == embed ? 0 : lmHead.length);
        for (Layer l : layers) {
            n += l.inputNorm.length + l.postNorm.length + l.wq.length + l.wk.length + l.wv.length + l.wo.length
                    + l.wGate.length + l.wUp.length + l.wDown.length;
            for (float[] b : new float[][] {l.bq, l.bk, l.bv, l.bo, l.bGate, l.bUp, l.bDown}) {
                n += b == null ? 0 : b.length;
            }
        }
        return n;
    }

    /** A new sequence with room for {@code capacityHint} tokens (the cache grows when needed). */
    public Session newSession(int capacityHint) {
        return new Session(Math.max(1, Math.min(capacityHint, config.maxPositionEmbeddings())));
    }

    /**
     * Runs {@code tokens} at the next positions of the session, appends their keys and values to its cache and
     * returns logits: of the last token ({@code [vocab]}) or, with {@code allPositions}, of every token
     * ({@code [tokens.length * vocab]}).
     */
    public float[] forward(Session session, int[] tokens, boolean allPositions) {
        int t = tokens.length;
        int start = session.length;
        if (t == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        if (start + t > config.maxPositionEmbeddings()) {
            throw ModelServerException.invalid("sequence of " + (start + t) + " tokens exceeds the model's context of "
                    + config.maxPositionEmbeddings());
        }
        int d = config.hiddenSize();
        int vocab = config.vocabSize();
        session.ensureCapacity(start + t);
        float[] x = new float[t * d];
        for (int i = 0; i < t; i++) {
            int id = tokens[i];
            if (id < 0 || id >= vocab) {
                throw ModelServerException.invalid("token id " + id + " is outside the vocabulary of " + vocab);
            }
            System.arraycopy(embed, id * d, x, i * d, d);
        }
        for (int l = 0; l < layers.length; l++) {
            layer(layers[l], x, t, start, session.keys[l], session.values[l]);
        }
        session.length = start + t;
        int rows = allPositions ? t : 1;
        float[] last = allPositions ? x : Arrays.copyOfRange(x, (t - 1) * d, t * d);
        float[] h = rmsNorm(last, rows, finalNorm);
        return matmul(h, rows, d, lmHead, vocab, null);
    }

    private void layer(Layer w, float[] x, int t, int start, float[] keyCache, float[] valueCache) {
        int d = config.hiddenSize();
        int hd = config.headDim();
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int qDim = config.queryDim();
        int kvDim = config.kvDim();
        float[] h = rmsNorm(x, t, w.inputNorm);
        float[] q = matmul(h, t, d, w.wq, qDim, w.bq);
        float[] k = matmul(h, t, d, w.wk, kvDim, w.bk);
        float[] v = matmul(h, t, d, w.wv, kvDim, w.bv);
        for (int i = 0; i < t; i++) {
            rotate(q, i * qDim, heads, start + i);
            rotate(k, i * kvDim, kvHeads, start + i);
        }
        System.arraycopy(k, 0, keyCache, start * kvDim, t * kvDim);
        System.arraycopy(v, 0, valueCache, start * kvDim, t * kvDim);

        float[] attended = new float[t * qDim];
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        long work = (long) (start + t) * hd * 2;
        pool.parallelFor(t * heads, work, (from, to) -> {
            float[] scores = new float[start + t];
            for (int task = from; task < to; task++) {
                int i = task / heads;
                int head = task % heads;
                int kvHead = head / group;
                int qOff = i * qDim + head * hd;
                int n = start + i + 1; // causal: positions 0 .. start+i
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    float s = dot(q, qOff, keyCache, j * kvDim + kvHead * hd, hd) * scale;
                    scores[j] = s;
                    if (s > max) {
                        max = s;
                    }
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    float e = (float) Math.exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                int outOff = i * qDim + head * hd;
                for (int j = 0; j < n; j++) {
                    float p = scores[j] * inv;
                    int vOff = j * kvDim + kvHead * hd;
                    for (int c = 0; c < hd; c++) {
                        attended[outOff + c] += p * valueCache[vOff + c];
                    }
                }
            }
        });
        float[] o = matmul(attended, t, qDim, w.wo, d, w.bo);
        for (int i = 0; i < x.length; i++) {
            x[i] += o[i];
        }
        float[] h2 = rmsNorm(x, t, w.postNorm);
        int inter = config.intermediateSize();
        float[] gate = matmul(h2, t, d, w.wGate, inter, w.bGate);
        float[] up = matmul(h2, t, d, w.wUp, inter, w.bUp);
        for (int i = 0; i < gate.length; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
        float[] down = matmul(gate, t, inter, w.wDown, d, w.bDown);
        for (int i = 0; i < x.length; i++) {
            x[i] += down[i];
        }
    }

    /** Rotary embedding in place on {@code count} heads at {@code off}: x*cos + rotate_half(x)*sin. */
    private void rotate(float[] v, int off, int count, int position) {
        int hd = config.headDim();
        int half = hd / 2;
        int table = position * half;
        for (int h = 0; h < count; h++) {
            int base = off + h * hd;
            for (int i = 0; i < half; i++) {
                float c = cos[table + i];
                float s = sin[table + i];
                float a = v[base + i];
                float b = v[base + i + half];
                v[base + i] = a * c - b * s;
                v[base + i + half] = b * c + a * s;
            }
        }
    }

    private float[] rmsNorm(float[] x, int rows, float[] weight) {
        int d = weight.length;
        float eps = (float) config.rmsNormEps();
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            double sum = 0;
            for (int i = 0; i < d; i++) {
                float xi = x[off + i];
                sum += xi * xi;
            }
            float inv = (float) (1.0 / Math.sqrt((float) (sum / d) + eps));
            for (int i = 0; i < d; i++) {
                out[off + i] = weight[i] * (x[off + i] * inv);
            }
        }
        return out;
    }

    /** {@code out[rows, n] = in[rows, k] . w[n, k]^T (+ bias)}, split over the output columns. */
    private float[] matmul(float[] in, int rows, int k, float[] w, int n, float[] bias) {
        float[] out = new float[rows * n];
        pool.parallelFor(n, (long) k * rows, (from, to) -> {
            for (int j = from; j < to; j++) {
                int wOff = j * k;
                float b = bias == null ? 0f : bias[j];
                for (int r = 0; r < rows; r++) {
                    out[r * n + j] = dot(in, r * k, w, wOff, k) + b;
                }
            }
        });
        return out;
    }

    /** Dot product with four independent sums, so the loop is not one long dependency chain. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code 1 / theta^(2i/d)} in float precision, with the config's rope scaling, as the trainer computes it. */
    static float[] inverseFrequencies(LlamaConfig c) {
        int dim = c.headDim();
        int half = dim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = 1.0f / (float) Math.pow(c.ropeTheta(), exponent);
        }
        LlamaConfig.RopeScaling s = c.ropeScaling();
        if (s == null) {
            return inv;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < half; i++) {
                inv[i] = (float) (inv[i] / s.factor());
            }
            return inv;
        }
        // llama3: keep high frequencies, divide low ones by the factor, interpolate in between.
        double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            float wavelen = (float) (2 * Math.PI / inv[i]);
            float scaled = wavelen > lowWavelen ? (float) (inv[i] / s.factor()) : inv[i];
            if (wavelen >= highWavelen && wavelen <= lowWavelen) {
                float smooth = (float) ((s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor()));
                scaled = (float) ((1 - smooth) * scaled / s.factor() + smooth * scaled);
            }
            inv[i] = scaled;
        }
        return inv;
    }

    /** One sequence's position and key/value cache ({@code [layers][positions * kv_dim]}). */
    public final class Session {
        private float[][] keys;
        private float[][] values;
        private int length;

        private Session(int capacity) {
            keys = new float[layers.length][capacity * config.kvDim()];
            values = new float[layers.length][capacity * config.kvDim()];
        }

        /** Tokens run so far. */
        public int length() {
            return length;
        }

        private void ensureCapacity(int tokens) {
            int kvDim = config.kvDim();
            int capacity = keys[0].length / kvDim;
            if (tokens <= capacity) {
                return;
            }
            int grown = Math.min(config.maxPositionEmbeddings(), Math.max(tokens, capacity * 2));
            for (int l = 0; l < layers.length; l++) {
                keys[l] = Arrays.copyOf(keys[l], grown * kvDim);
                values[l] = Arrays.copyOf(values[l], grown * kvDim);
            }
        }
    }
}
