package io.mmedstream.eval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmedstream.eval.EvalException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReaderTest {

    @Test
    void readsRecordsWithStringListAndMultiAnswersIgnoringExtraFields() throws IOException {
        String jsonl = """
                {"question": "Q1?", "options": {"B": "two", "A": "one"}, "answer_idx": "B", "rationale": "R1", \
                "human_checked": true, "human_check_passed": true, "meta_info": "step1", "answer": "two"}

                {"question": "Q2?", "options": {"A": "x", "B": "y", "C": "z"}, "answer_idx": "A,C", \
                "rationale": "", "human_checked": false, "human_check_passed": false, "source": "test"}
                {"question": "Q3?", "options": {"A": "x", "B": "y", "C": "z"}, "answer_idx": ["C", "A"]}
                """;
        List<BenchmarkQuestion> questions = BenchmarkReader.read(new StringReader(jsonl), Language.FRENCH, "t");

        assertThat(questions).hasSize(3);
        BenchmarkQuestion first = questions.get(0);
        assertThat(first.options()).containsExactly(Map.entry("A", "one"), Map.entry("B", "two"));
        assertThat(first.answer()).containsExactly("B");
        assertThat(first.rationale()).isEqualTo("R1");
        assertThat(first.humanChecked()).isTrue();
        assertThat(first.humanCheckPassed()).isTrue();
        assertThat(first.language()).isEqualTo(Language.FRENCH);
        assertThat(questions.get(1).answer()).containsExactly("A", "C");
        assertThat(questions.get(1).answerIdx()).isEqualTo("A,C");
        assertThat(questions.get(1).index()).isEqualTo(1);
        assertThat(questions.get(2).answer()).containsExactly("A", "C");
        assertThat(questions.get(2).humanCheckPassed()).isFalse();
    }

    @Test
    void malformedRecordNamesFileAndLine() {
        String jsonl = """
                {"question": "Q1?", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}
                {"question": "Q2?", "options": {"A": "x", "B": "y"}, "answer_idx": "D"}
                """;
        assertThatThrownBy(() -> BenchmarkReader.read(new StringReader(jsonl), Language.ENGLISH, "English.jsonl"))
                .isInstanceOf(EvalException.class)
                .hasMessageContaining("English.jsonl:2:")
                .hasMessageContaining("outside the options");
        assertThatThrownBy(() -> BenchmarkReader.read(new StringReader("{not json\n"), Language.ENGLISH, "f"))
                .isInstanceOf(EvalException.class).hasMessageStartingWith("f:1: not a JSON object");
        assertThatThrownBy(() -> BenchmarkReader.read(new StringReader(
                "{\"question\": \"Q\", \"options\": {\"A\": \"x\"}}\n"), Language.ENGLISH, "f"))
                .hasMessageContaining("answer_idx");
    }

    @Test
    void readsTheLanguageFilesOfADirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("English.jsonl"),
                "{\"question\": \"Q\", \"options\": {\"A\": \"x\", \"B\": \"y\"}, \"answer_idx\": \"B\"}\n");
        Files.writeString(dir.resolve("Russian.jsonl"),
                "{\"question\": \"Q\", \"options\": {\"A\": \"да\", \"B\": \"нет\"}, \"answer_idx\": \"A\"}\n");
        Files.writeString(dir.resolve("notes.txt"), "not a benchmark file");

        Map<Language, List<BenchmarkQuestion>> all = BenchmarkReader.readDirectory(dir);

        assertThat(all).containsOnlyKeys(Language.ENGLISH, Language.RUSSIAN);
        assertThat(all.get(Language.RUSSIAN).get(0).options()).containsEntry("B", "нет");
    }

    @Test
    void directoryWithoutBenchmarkFilesIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> BenchmarkReader.readDirectory(dir))
                .isInstanceOf(EvalException.class).hasMessageContaining("English.jsonl");
        assertThatThrownBy(() -> BenchmarkReader.readDirectory(dir.resolve("missing")))
                .isInstanceOf(EvalException.class).hasMessageContaining("not a directory");
    }

    @Test
    void languagesHaveTheBenchmarkNamesAndFiles() {
        assertThat(Language.values()).extracting(Language::fileName).containsExactly("English.jsonl",
                "Chinese.jsonl", "Japanese.jsonl", "French.jsonl", "Russian.jsonl", "Spanish.jsonl");
        assertThat(Language.fromName("spanish")).contains(Language.SPANISH);
        assertThat(Language.fromName("ja")).contains(Language.JAPANESE);
        assertThat(Language.fromName("Klingon")).isEmpty();
    }

    @Test
    void goldAnswersAreReadInEveryCommonSpelling() {
        assertThat(AnswerKeys.parse("B")).containsExactly("B");
        assertThat(AnswerKeys.parse("A,C")).containsExactly("A", "C");
        assertThat(AnswerKeys.parse(" C, A ")).containsExactly("A", "C");
        assertThat(AnswerKeys.parse("['A', 'C']")).containsExactly("A", "C");
        assertThat(AnswerKeys.parse("[\"A\",\"C\"]")).containsExactly("A", "C");
        assertThat(AnswerKeys.parse("ACD")).containsExactly("A", "C", "D");
        assertThatThrownBy(() -> AnswerKeys.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AnswerKeys.parse("the liver")).isInstanceOf(IllegalArgumentException.class);
    }
}
