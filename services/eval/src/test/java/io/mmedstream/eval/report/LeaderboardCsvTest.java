package io.mmedstream.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.benchmark.Language;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderboardCsvTest {

    private static final List<LeaderboardRow> ROWS = List.of(
            new LeaderboardRow(Language.ENGLISH,
                    "Below is an instruction...\n\n### Input:\n###Question: A 6-month-old, \"floppy\" boy? ###Options:"
                            + " A. x B. y \n\n### Response:",
                    "###Answer: OPTION B IS CORRECT.</s>", "B"),
            new LeaderboardRow(Language.FRENCH, "Q", "###Rationale: ligne 1\r\nligne 2\n###Answer: OPTION A,C IS"
                    + " CORRECT.", "A,C"),
            new LeaderboardRow(Language.CHINESE, "", "答案：B", "B"),
            new LeaderboardRow(Language.RUSSIAN, " leading and trailing spaces ", "\"", "A"));

    @Test
    void rowsSurviveAWriteReadRoundTripWithCommasQuotesAndLineBreaks() throws IOException {
        StringWriter out = new StringWriter();
        LeaderboardCsv.write(out, ROWS);

        List<LeaderboardRow> read = LeaderboardCsv.read(new StringReader(out.toString()), "t.csv");

        assertThat(read).containsExactlyElementsOf(ROWS);
    }

    @Test
    void writesRfc4180QuotingOnlyWhereNeeded() throws IOException {
        StringWriter out = new StringWriter();
        LeaderboardCsv.write(out, List.of(new LeaderboardRow(Language.SPANISH, "plain", "say \"B\", then stop", "B")));
        assertThat(out.toString()).isEqualTo("Language,ModelInput,ModelOutput,GT_Answer\r\n"
                + "Spanish,plain,\"say \"\"B\"\", then stop\",B\r\n");
    }

    @Test
    void readsFilesWrittenByOtherToolsByColumnName() throws IOException {
        // pandas style: an index column, LF endings, a BOM, columns in another order, language codes.
        String csv = "\uFEFF,GT_Answer,Language,ModelOutput,ModelInput\n"
                + "0,B,en,\"Answer:\nB\",prompt one\n"
                + "\n"
                + "1,\"A,C\",French,\"A, C\",\"prompt, two\"\n";
        List<LeaderboardRow> rows = LeaderboardCsv.read(new StringReader(csv), "p.csv");
        assertThat(rows).containsExactly(
                new LeaderboardRow(Language.ENGLISH, "prompt one", "Answer:\nB", "B"),
                new LeaderboardRow(Language.FRENCH, "prompt, two", "A, C", "A,C"));
    }

    @Test
    void malformedFilesFailWithFileAndLine() {
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader(""), "e.csv"))
                .isInstanceOf(EvalException.class).hasMessageContaining("e.csv: empty file");
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader("Language,Input,Output\n"), "h.csv"))
                .hasMessageContaining("h.csv: line 1").hasMessageContaining("lacks the column ModelInput");
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader(
                "Language,ModelInput,ModelOutput,GT_Answer\nEnglish,q,\"never closed\nB\n"), "q.csv"))
                .hasMessageContaining("q.csv: line 2: a quoted field is never closed");
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader(
                "Language,ModelInput,ModelOutput,GT_Answer\nEnglish,q,o,B\nEnglish,q,B\n"), "n.csv"))
                .hasMessageContaining("n.csv: line 3: 3 fields, the header has 4");
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader(
                "Language,ModelInput,ModelOutput,GT_Answer\nKlingon,q,o,B\n"), "l.csv"))
                .hasMessageContaining("l.csv: line 2: unknown language \"Klingon\"");
        assertThatThrownBy(() -> LeaderboardCsv.read(new StringReader(
                "Language,ModelInput,ModelOutput,GT_Answer\nEnglish,\"q\"x,o,B\n"), "x.csv"))
                .hasMessageContaining("x.csv: line 2: unexpected \"x\" after a closing quote");
    }

    @Test
    void fileRoundTripAndMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("multi_choice_results.csv");
        LeaderboardCsv.writeFile(file, ROWS);
        assertThat(LeaderboardCsv.readFile(file)).containsExactlyElementsOf(ROWS);
        assertThat(Files.exists(file)).isTrue();
        assertThatThrownBy(() -> LeaderboardCsv.readFile(dir.resolve("missing.csv")))
                .isInstanceOf(EvalException.class).hasMessageContaining("missing.csv: no such file");
    }
}
