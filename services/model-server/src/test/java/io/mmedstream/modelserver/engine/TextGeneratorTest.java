package io.mmedstream.modelserver.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.modelserver.engine.TextGenerator.Chunk;
import io.mmedstream.modelserver.engine.TextGenerator.Completion;
import io.mmedstream.modelserver.engine.TextGenerator.FinishReason;
import io.mmedstream.modelserver.service.ModelServerException;

class TextGeneratorTest {

    private static final String PROMPT = "The patient has a fever and";

    @TempDir
    static Path tmp;
    private static ComputePool pool;
    private static LoadedCheckpoint checkpoint;

    @BeforeAll
    static void load() throws Exception {
        pool = new ComputePool(2);
        checkpoint = LoadedCheckpoint.load(TinyCheckpoint.write(tmp.resolve("ckpt"), 42), pool, 0);
    }

    @AfterAll
    static void close() {
        checkpoint.close();
        pool.close();
    }

    private static DecodingParams params(int maxTokens, double temperature, Long seed, List<String> stop) {
        return new DecodingParams(maxTokens, temperature, 1.0, 0, seed, stop, List.of(), false, 0, false, true);
    }

    @Test
    void tokenizerOfTheCheckpointRoundTripsTextAndAppliesItsMerges() {
        int[] ids = checkpoint.tokenizer().encode("see the fever");
        assertThat(ids).contains(258); // " the"
        assertThat(checkpoint.tokenizer().decode(ids, true)).isEqualTo("see the fever");
        assertThat(checkpoint.tokenizer().eosIds()).containsExactly(TinyCheckpoint.EOS);
    }

    @Test
    void greedyGenerationIsDeterministicAndItsChunksAddUpToTheCompletion() {
        List<Chunk> chunks = new ArrayList<>();
        Completion first = checkpoint.generator().generate(PROMPT, DecodingParams.greedy(24), chunks::add, null);
        Completion second = checkpoint.generator().generate(PROMPT, DecodingParams.greedy(24), null, null);

        assertThat(first.text()).isEqualTo(second.text()).isNotEmpty();
        assertThat(String.join("", chunks.stream().map(Chunk::text).toList())).isEqualTo(first.text());
        assertThat(chunks.stream().mapToInt(Chunk::tokens).sum()).isEqualTo(first.completionTokens());
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.last()).isFalse());
        assertThat(chunks.get(chunks.size() - 1).last()).isTrue();
        assertThat(first.promptTokens()).isEqualTo(checkpoint.tokenizer().encode(PROMPT).length);
    }

    @Test
    void maxTokensEndsGenerationWithReasonLength() {
        Completion c = checkpoint.generator().generate(PROMPT, DecodingParams.greedy(5), null, null);
        assertThat(c.completionTokens()).isEqualTo(5);
        assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void stopStringCutsTheTextBeforeItAndNeverReachesAChunk() {
        String free = checkpoint.generator().generate(PROMPT, DecodingParams.greedy(30), null, null).text();
        String stop = free.substring(6, 8);
        int at = free.indexOf(stop);

        List<Chunk> chunks = new ArrayList<>();
        Completion c = checkpoint.generator().generate(PROMPT, params(30, 0, null, List.of(stop, "never-there")),
                chunks::add, null);

        assertThat(c.text()).isEqualTo(free.substring(0, at));
        assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.text()).doesNotContain(stop));

        DecodingParams keep = new DecodingParams(30, 0, 1, 0, null, List.of(stop), List.of(), false, 0, true, true);
        assertThat(checkpoint.generator().generate(PROMPT, keep, null, null).text())
                .isEqualTo(free.substring(0, at) + stop);
    }

    @Test
    void endOfSequenceTokenEndsGenerationUnlessIgnored() throws Exception {
        int firstToken = checkpoint.tokenizer().encode(
                checkpoint.generator().generate(PROMPT, DecodingParams.greedy(1), null, null).text())[0];
        Path dir = TinyCheckpoint.write(tmp.resolve("eos-ckpt"), 42);
        TinyCheckpoint.writeGenerationConfig(dir, List.of(firstToken));
        try (LoadedCheckpoint eosModel = LoadedCheckpoint.load(dir, pool, 0)) {
            Completion stopped = eosModel.generator().generate(PROMPT, DecodingParams.greedy(10), null, null);
            assertThat(stopped.text()).isEmpty();
            assertThat(stopped.completionTokens()).isEqualTo(1);
            assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);

            DecodingParams ignore = new DecodingParams(10, 0, 1, 0, null, List.of(), List.of(), true, 0, false, true);
            assertThat(eosModel.generator().generate(PROMPT, ignore, null, null).completionTokens()).isEqualTo(10);

            DecodingParams atLeast = new DecodingParams(10, 0, 1, 0, null, List.of(), List.of(), false, 3, false, true);
            assertThat(eosModel.generator().generate(PROMPT, atLeast, null, null).completionTokens())
                    .isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTopKOfOneIsGreedy() {
        String a = checkpoint.generator().generate(PROMPT, params(20, 1.0, 7L, List.of()), null, null).text();
        String b = checkpoint.generator().generate(PROMPT, params(20, 1.0, 7L, List.of()), null, null).text();
        assertThat(a).isEqualTo(b);
        List<String> others = new ArrayList<>();
        for (long seed = 8; seed < 12; seed++) {
            others.add(checkpoint.generator().generate(PROMPT, params(20, 1.0, seed, List.of()), null, null).text());
        }
        assertThat(others).anySatisfy(o -> assertThat(o).isNotEqualTo(a));

        DecodingParams topOne = new DecodingParams(12, 1.5, 1.0, 1, 3L, List.of(), List.of(), false, 0, false, true);
        DecodingParams tinyNucleus = new DecodingParams(12, 1.5, 1e-9, 0, 3L, List.of(), List.of(), false, 0, false,
                true);
        String greedy = checkpoint.generator().generate(PROMPT, DecodingParams.greedy(12), null, null).text();
        assertThat(checkpoint.generator().generate(PROMPT, topOne, null, null).text()).isEqualTo(greedy);
        assertThat(checkpoint.generator().generate(PROMPT, tinyNucleus, null, null).text()).isEqualTo(greedy);
    }

    @Test
    void cancellationStopsGenerationBetweenTokens() {
        AtomicInteger chunks = new AtomicInteger();
        assertThatThrownBy(() -> checkpoint.generator().generate(PROMPT, DecodingParams.greedy(50),
                c -> chunks.incrementAndGet(), () -> chunks.get() >= 2))
                .isInstanceOf(ModelServerException.class)
                .extracting(e -> ((ModelServerException) e).reason())
                .isEqualTo(ModelServerException.Reason.CANCELLED);
        assertThat(chunks.get()).isEqualTo(2);
    }

    @Test
    void promptThatFillsTheContextIsRefusedNamingTextInput() {
        String longPrompt = "x".repeat(300);
        assertThatThrownBy(() -> checkpoint.generator().generate(longPrompt, DecodingParams.greedy(4), null, null))
                .isInstanceOf(ModelServerException.class)
                .hasMessageContaining("text_input")
                .hasMessageContaining("256");
    }

    @Test
    void generationStopsAtTheEndOfTheContext() {
        String prompt = "y".repeat(250);
        Completion c = checkpoint.generator().generate(prompt, DecodingParams.greedy(100), null, null);
        assertThat(c.promptTokens() + c.completionTokens()).isEqualTo(256);
        assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void sendableTextNeverEndsInsideACharacterOrAPossibleStopString() {
        assertThat(TextGenerator.safeEnd("abc\uFFFD", 0)).isEqualTo(3);
        assertThat(TextGenerator.safeEnd("abc\uD83D", 0)).isEqualTo(3);
        assertThat(TextGenerator.safeEnd("abcdef", 2)).isEqualTo(4);
        assertThat(TextGenerator.safeEnd("a", 3)).isZero();
    }
}
