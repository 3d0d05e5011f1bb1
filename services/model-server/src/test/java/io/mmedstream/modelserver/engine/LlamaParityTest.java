package io.mmedstream.modelserver.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Java forward pass against the PyTorch trainer on checkpoints the trainer saved: float32, bfloat16 (tied,
 * sharded, biases, llama3 rope, head_dim independent of hidden_size) and float16 (multi-head, linear rope).
 */
class LlamaParityTest {

    private static final double TOLERANCE = 1e-4;
    private static ComputePool pool;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32-gqa", "bf16-tied-sharded", "f16-mha"})
    void logitsOfEveryPositionMatchTheTrainerWithinTolerance(String variant) throws Exception {
        JsonNode expected = TrainerFixtures.expected(variant);
        Path dir = TrainerFixtures.folder().resolve(variant);
        LlamaModel model = LlamaModel.load(dir, pool);
        int[] tokens = ints(expected.get("tokens"));
        float[] logits = model.forward(model.newSession(tokens.length), tokens, true);

        int vocab = model.config().vocabSize();
        assertThat(logits).hasSize(tokens.length * vocab);
        double worst = 0;
        for (int t = 0; t < tokens.length; t++) {
            JsonNode row = expected.get("logits").get(t);
            for (int v = 0; v < vocab; v++) {
                worst = Math.max(worst, Math.abs(logits[t * vocab + v] - row.get(v).asDouble()));
            }
        }
        assertThat(worst).as("largest |java - torch| logit difference of %s", variant).isLessThan(TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32-gqa", "bf16-tied-sharded", "f16-mha"})
    void promptThenOneTokenAtATimeWithTheCacheEqualsTheWholeSequenceAtOnce(String variant) throws Exception {
        JsonNode expected = TrainerFixtures.expected(variant);
        LlamaModel model = LlamaModel.load(TrainerFixtures.folder().resolve(variant), pool);
        int[] tokens = ints(expected.get("tokens"));
        int vocab = model.config().vocabSize();
        float[] whole = model.forward(model.newSession(4), tokens, true);

        LlamaModel.Session session = model.newSession(2); // small on purpose: the cache must grow
        float[] prompt = model.forward(session, java.util.Arrays.copyOf(tokens, 5), false);
        assertClose(prompt, whole, 4 * vocab, vocab);
        for (int t = 5; t < tokens.length; t++) {
            float[] step = model.forward(session, new int[] {tokens[t]}, false);
            assertClose(step, whole, t * vocab, vocab);
        }
        assertThat(session.length()).isEqualTo(tokens.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32-gqa", "bf16-tied-sharded", "f16-mha"})
    void greedyDecodingWithTheCacheGivesTheTrainersTokens(String variant) throws Exception {
        JsonNode expected = TrainerFixtures.expected(variant);
        assertThat(expected.get("greedy_min_margin").asDouble()).as("fixture has no near-ties").isGreaterThan(1e-3);
        LlamaModel model = LlamaModel.load(TrainerFixtures.folder().resolve(variant), pool);
        LlamaModel.Session session = model.newSession(32);
        float[] logits = model.forward(session, ints(expected.get("prompt")), false);
        List<Integer> generated = new ArrayList<>();
        for (int i = 0; i < expected.get("greedy").size(); i++) {
            int next = Sampler.argmax(logits);
            generated.add(next);
            logits = model.forward(session, new int[] {next}, false);
        }
        List<Integer> want = new ArrayList<>();
        expected.get("greedy").forEach(n -> want.add(n.asInt()));
        assertThat(generated).isEqualTo(want);
    }

    private static void assertClose(float[] actual, float[] whole, int offset, int vocab) {
        for (int v = 0; v < vocab; v++) {
            assertThat((double) actual[v]).isCloseTo(whole[offset + v], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
