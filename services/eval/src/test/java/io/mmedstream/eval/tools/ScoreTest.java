package io.mmedstream.eval.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.BenchmarkReader;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.benchmark.MmedPrompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreTest {

    /** A small benchmark written for this test: three English, two French, one Russian question. */
    private static final String ENGLISH = """
            {"question": "Which drug is given first for a pulmonary embolism?", "options": {"A": "Aspirin", \
            "B": "Heparin", "C": "Warfarin", "D": "Insulin"}, "answer_idx": "B", \
            "rationale": "Heparin is an anticoagulant used first", "human_checked": true, "human_check_passed": true}
            {"question": "Which organ filters blood?", "options": {"A": "Liver", "B": "Kidney", "C": "Heart", \
            "D": "Lung"}, "answer_idx": "B", "rationale": "", "human_checked": false, "human_check_passed": false}
            {"question": "Which vitamin deficiency causes scurvy?", "options": {"A": "A", "B": "B12", "C": "C", \
            "D": "D"}, "answer_idx": "C", "rationale": "", "human_checked": false, "human_check_passed": false}
            """;
    private static final String FRENCH = """
            {"question": "Quels organes filtrent le sang ?", "options": {"A": "Le foie", "B": "Le coeur", \
            "C": "Le rein", "D": "Le poumon", "E": "La peau"}, "answer_idx": "A,C", \
            "rationale": "le foie et le rein filtrent le sang", "human_checked": true, "human_check_passed": true}
            {"question": "Quel organe pompe le sang ?", "options": {"A": "Le foie", "B": "Le coeur", \
            "C": "Le rein", "D": "Le poumon", "E": "La peau"}, "answer_idx": "B", "rationale": "", \
            "human_checked": false, "human_check_passed": false}
            """;
    private static final String RUSSIAN = """
            {"question": "Никорандил вызывает сокращение сосудов?", "options": {"A": "да", "B": "нет"}, \
            "answer_idx": "B", "rationale": "", "human_checked": false, "human_check_passed": false}
            """;

    @TempDir
    Path dir;
    private Path references;
    private Map<Language, List<BenchmarkQuestion>> questions;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeBenchmark() throws IOException {
        references = Files.createDirectory(dir.resolve("benchmark"));
        Files.writeString(references.resolve("English.jsonl"), ENGLISH);
        Files.writeString(references.resolve("French.jsonl"), FRENCH);
        Files.writeString(references.resolve("Russian.jsonl"), RUSSIAN);
        questions = BenchmarkReader.readDirectory(references);
    }

    /**
     * The six rows: English right / wrong / unparseable (1 of 3 = 33.3333 %), French right (A,C) / wrong (B,D for
     * gold B) (1 of 2 = 50 %), Russian right by the option text "Нет." (100 %). Mean (33.333.. + 50 + 100) / 3.
     */
    private Path predictions() throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(row(Language.ENGLISH, 0,
                "###Rationale: Heparin is an anticoagulant.\n###Answer: OPTION B IS CORRECT.</s>", "B"));
        rows.add(row(Language.ENGLISH, 1, "The answer is A.<|eot_id|>", "B"));
        rows.add(row(Language.ENGLISH, 2, "I am not sure.", "C"));
        rows.add(row(Language.FRENCH, 0, "Réponse : A, C", "A,C"));
        rows.add(row(Language.FRENCH, 1, "B, D", "B"));
        rows.add(row(Language.RUSSIAN, 0, "Нет.", "B"));
        return writeCsv("predictions.csv", rows);
    }

    @Test
    void scoresAccuracyAndUnparseablePerLanguageFromTheCsvAlone() throws Exception {
        int status = Score.run(new String[] {"--predictions", predictions().toString(), "--json"}, stream(out),
                stream(err));

        assertThat(status).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("languages").get("English").toString())
                .isEqualTo("{\"n\":3,\"correct\":1,\"accuracy\":33.3333,\"unparseable\":1}");
        assertThat(json.get("languages").get("French").toString())
                .isEqualTo("{\"n\":2,\"correct\":1,\"accuracy\":50.0,\"unparseable\":0}");
        assertThat(json.get("languages").get("Russian").toString())
                .isEqualTo("{\"n\":1,\"correct\":1,\"accuracy\":100.0,\"unparseable\":0}");
        assertThat(json.get("mean_accuracy").asDouble()).isEqualTo(61.1111);
        assertThat(json.has("rationale")).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("only 3 of 6 languages scored");
    }

    /**
     * Rationale on the two human_check_passed records. English: candidate "heparin is an anticoagulant" (c = 4)
     * against "heparin is an anticoagulant used first" (r = 6): every n-gram of the candidate matches, so each
     * BLEU is the brevity penalty exp(1 - 6/4); ROUGE-1 P = 1, R = 4/6 -> F1 0.8; ROUGE-2 P = 3/3, R = 3/5 ->
     * 0.75; LCS 4 -> 0.8. French: the output "Réponse : A, C" shares no word with its reference: 0.
     */
    @Test
    void scoresRationalesOnHumanCheckedItemsWhenAsked() throws Exception {
        int status = Score.run(new String[] {"--predictions", predictions().toString(), "--references",
            references.toString(), "--rationale", "--json"}, stream(out), stream(err));

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("mean_accuracy").asDouble()).isEqualTo(61.1111);
        JsonNode english = json.get("rationale").get("languages").get("English");
        double bp = 100 * Math.exp(1 - 6.0 / 4);
        assertThat(english.get("n").asInt()).isEqualTo(1);
        for (String bleu : List.of("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "cumulative BLEU-4")) {
            assertThat(english.get(bleu).asDouble()).as(bleu).isCloseTo(bp, within(1e-4));
        }
        assertThat(english.get("ROUGE-1").asDouble()).isEqualTo(80.0);
        assertThat(english.get("ROUGE-2").asDouble()).isEqualTo(75.0);
        assertThat(english.get("ROUGE-L").asDouble()).isEqualTo(80.0);
        assertThat(json.get("rationale").get("languages").get("French").get("ROUGE-1").asDouble()).isZero();
        assertThat(json.get("rationale").get("languages").has("Russian")).isFalse();
        assertThat(json.get("rationale").get("mean").get("ROUGE-1").asDouble()).isEqualTo(40.0);
    }

    @Test
    void printsReadableTablesWithoutJson() throws Exception {
        int status = Score.run(new String[] {"--predictions", predictions().toString(), "--references",
            references.toString(), "--rationale"}, stream(out), stream(err));

        assertThat(status).isEqualTo(0);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).containsPattern("English\\s+3\\s+1\\s+33\\.33%\\s+1")
                .containsPattern("all\\s+6\\s+3\\s+50\\.00%\\s+1")
                .contains("mean accuracy (unweighted over 3 languages, not the six-language benchmark mean): 61.11")
                .contains("BLEU-1").contains("cumulative BLEU-4").contains("ROUGE-L");
    }

    @Test
    void matchesRowsByOrderWhenModelInputIsNotThePrompt() throws Exception {
        List<String[]> rows = List.of(
                new String[] {"English", "q1", "B", "B"}, new String[] {"English", "q2", "B", "B"},
                new String[] {"English", "q3", "C", "C"});
        Path csv = writeCsv("ordered.csv", rows);

        assertThat(Score.run(new String[] {"--predictions", csv.toString(), "--references", references.toString(),
            "--rationale", "--json"}, stream(out), stream(err))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("3 row(s) match no benchmark record by ModelInput");

        ByteArrayOutputStream ordered = new ByteArrayOutputStream();
        assertThat(Score.run(new String[] {"--predictions", csv.toString(), "--references", references.toString(),
            "--rationale", "--match", "order", "--json"}, stream(ordered), stream(err))).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(ordered.toString(StandardCharsets.UTF_8));
        assertThat(json.get("languages").get("English").get("correct").asInt()).isEqualTo(3);
        assertThat(json.get("rationale").get("languages").get("English").get("n").asInt()).isEqualTo(1);

        Path short_ = writeCsv("short.csv", List.<String[]>of(new String[] {"English", "q1", "B", "B"}));
        assertThat(Score.run(new String[] {"--predictions", short_.toString(), "--references", references.toString(),
            "--match", "order"}, stream(out), stream(err))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 English rows but 3 records in English.jsonl");
    }

    @Test
    void badInputsFailWithAClearMessageAndStatus() throws Exception {
        assertThat(Score.run(new String[] {"--predictions", dir.resolve("nope.csv").toString()}, stream(out),
                stream(err))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.csv: no such file");

        Path badGold = writeCsv("bad-gold.csv", List.<String[]>of(new String[] {"English", "q", "B", "the liver"}));
        ByteArrayOutputStream e2 = new ByteArrayOutputStream();
        assertThat(Score.run(new String[] {"--predictions", badGold.toString()}, stream(out), stream(e2)))
                .isEqualTo(1);
        assertThat(e2.toString(StandardCharsets.UTF_8)).contains("bad-gold.csv: row 1 (English): GT_Answer");

        Path notCsv = Files.writeString(dir.resolve("notes.csv"), "just some text\n");
        ByteArrayOutputStream e3 = new ByteArrayOutputStream();
        assertThat(Score.run(new String[] {"--predictions", notCsv.toString()}, stream(out), stream(e3)))
                .isEqualTo(1);
        assertThat(e3.toString(StandardCharsets.UTF_8)).contains("lacks the column Language");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(Score.run(new String[] {}, stream(out), stream(err))).isEqualTo(2);
        assertThat(Score.run(new String[] {"--predictions", "x.csv", "--rationale"}, stream(out), stream(err)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rationale needs --references DIR");
        assertThat(Score.run(new String[] {"--predictions", "x.csv", "--match", "fuzzy"}, stream(out), stream(err)))
                .isEqualTo(2);
        assertThat(Score.run(new String[] {"--bogus"}, stream(out), stream(err))).isEqualTo(2);
        assertThat(Score.run(new String[] {"--help"}, stream(out), stream(err))).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: mmed score --predictions FILE.csv");
    }

    @Test
    void readsOptionsAndInputBackFromAPrompt() {
        BenchmarkQuestion french = questions.get(Language.FRENCH).get(0);
        String prompt = MmedPrompt.prompt(french, true);
        assertThat(PredictionScorer.inputOf(prompt)).isEqualTo(MmedPrompt.input(french).strip());
        assertThat(PredictionScorer.optionsFromInput(prompt)).containsExactlyEntriesOf(french.options());
        assertThat(PredictionScorer.optionsFromInput("no options here")).isEmpty();
    }

    private String[] row(Language language, int index, String output, String gold) {
        return new String[] {language.displayName(), MmedPrompt.prompt(questions.get(language).get(index), true),
            output, gold};
    }

    private Path writeCsv(String name, List<String[]> rows) throws IOException {
        StringBuilder csv = new StringBuilder("Language,ModelInput,ModelOutput,GT_Answer\n");
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                csv.append(i == 0 ? "" : ",").append('"').append(row[i].replace("\"", "\"\"")).append('"');
            }
            csv.append('\n');
        }
        return Files.writeString(dir.resolve(name), csv.toString(), StandardCharsets.UTF_8);
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
