package io.mmedstream.filter.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.filter.service.Samples;

/** The command-line tools, run in-process on fixtures written for the tests. */
class ToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private PrintStream out() {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    private PrintStream err() {
        return new PrintStream(err, true, StandardCharsets.UTF_8);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    private static String doc(String id, String text, String lang) throws Exception {
        var node = JSON.createObjectNode();
        if (id != null) {
            node.put("id", id);
        }
        node.put("text", text);
        if (lang != null) {
            node.put("lang", lang);
        }
        return JSON.writeValueAsString(node);
    }

    @Test
    void classifyWritesOneVerdictPerDocumentWithTheServiceEngine() throws Exception {
        String input = doc("a", Samples.FR_MEDICAL + " Tél. 01 23 45 67 89.", null) + "\n"
                + doc(null, Samples.FR_NEWS, "fr") + "\n" + doc("c", "Trop court.", null) + "\n";

        int status = Classify.run(new String[] {"--with-text"}, new StringReader(input), out(), err());

        assertThat(status).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        List<JsonNode> rows = lines();
        assertThat(rows).hasSize(3);
        JsonNode a = rows.get(0);
        assertThat(a.get("id").asText()).isEqualTo("a");
        assertThat(a.get("lang").asText()).isEqualTo("fr");
        assertThat(a.get("decision").asText()).isEqualTo("accept");
        assertThat(a.get("reasons")).isEmpty();
        assertThat(a.get("scores").get("pii_phone").asDouble()).isEqualTo(1.0);
        assertThat(a.get("text").asText()).endsWith("Tél. <PHONE>.");
        JsonNode b = rows.get(1);
        assertThat(b.get("id").asInt()).isEqualTo(2); // no id: the line number
        assertThat(b.get("decision").asText()).isEqualTo("drop");
        assertThat(b.get("reasons").get(0).asText()).isEqualTo("not_medical");
        assertThat(b.get("scores").has("relevance_evidence")).isTrue();
        assertThat(rows.get(2).get("reasons").get(0).asText()).isEqualTo("too_short");
        assertThat(rows.get(2).get("lang").isNull()).isTrue();
    }

    @Test
    void classifyInMmedcModeGivesThePapersScores() throws Exception {
        int status = Classify.run(new String[] {"--mode", "mmedc"},
                new StringReader(doc("x", Samples.EN_MEDICAL, null) + "\n"), out(), err());

        assertThat(status).isZero();
        JsonNode row = lines().get(0);
        assertThat(row.get("decision").asText()).isEqualTo("accept");
        assertThat(row.get("scores").has("keyword_count")).isTrue();
        assertThat(row.has("text")).isFalse();
    }

    @Test
    void classifyReportsBadLinesOnStandardErrorAndGoesOn() throws Exception {
        String input = "not json\n{\"id\": 1}\n" + doc("ok", Samples.EN_NEWS, null) + "\n";

        int status = Classify.run(new String[0], new StringReader(input), out(), err());

        assertThat(status).isEqualTo(1);
        assertThat(lines()).hasSize(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("line 1: not JSON")
                .contains("line 2: expected an object with a \"text\" string");
    }

    @Test
    void classifyRejectsUnknownOptionsAndModes() {
        assertThat(Classify.run(new String[] {"--frobnicate"}, new StringReader(""), out(), err())).isEqualTo(2);
        assertThat(Classify.run(new String[] {"--mode", "nope"}, new StringReader(""), out(), err())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown relevance mode 'nope'");
    }

    @Test
    void classifyReadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("docs.jsonl");
        Files.writeString(file, doc("z", Samples.ZH_MEDICAL, null) + "\n");

        assertThat(Classify.run(new String[] {file.toString()}, null, out(), err())).isZero();
        assertThat(lines().get(0).get("lang").asText()).isEqualTo("zh");
    }

    @Test
    void filterReportComparesBothModesPerLanguage(@TempDir Path dir) throws Exception {
        String ruInflected = "Больного с острым инфарктом миокарда госпитализировали в кардиологическое отделение."
                + " У пациента отмечались одышка, боли в груди и повышение артериального давления; назначены"
                + " антикоагулянты и бета-блокаторы, проведена коронарография со стентированием артерии.";
        Path file = dir.resolve("labelled.jsonl");
        Files.writeString(file, String.join("\n",
                labelled("en", "medical", Samples.EN_MEDICAL), labelled("en", "nonmedical", Samples.EN_NEWS),
                labelled("ru", "medical", ruInflected), labelled("ru", "nonmedical", Samples.RU_NEWS)) + "\n");

        int status = FilterReport.run(new String[] {file.toString(), "--json"}, out(), err());

        assertThat(status).isZero();
        JsonNode report = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        JsonNode ruV2 = report.at("/modes/lexical-v2/languages/ru");
        JsonNode ruPaper = report.at("/modes/mmedc/languages/ru");
        assertThat(ruV2.get("recall").asDouble()).isEqualTo(1.0);
        assertThat(ruV2.get("fp_rate").asDouble()).isEqualTo(0.0);
        assertThat(ruPaper.get("recall").asDouble()).isEqualTo(0.0);
        assertThat(ruPaper.get("funnel_medical").get("not_medical").asInt()).isEqualTo(1);
        assertThat(report.at("/modes/lexical-v2/languages/en/precision").asDouble()).isEqualTo(1.0);
        assertThat(report.at("/language_id/ru/accuracy").asDouble()).isEqualTo(1.0);
    }

    @Test
    void filterReportPrintsTablesSideBySide(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("labelled.jsonl");
        Files.writeString(file, labelled("es", "medical", Samples.ES_MEDICAL) + "\n"
                + labelled("es", "nonmedical", Samples.ES_NEWS) + "\n");

        assertThat(FilterReport.run(new String[] {file.toString()}, out(), err())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("mmedc (mmedc-1+q1+pii1)").contains("lexical-v2 (lexical-v2-1+q1+pii1)")
                .contains("Funnel, lexical-v2").containsPattern("es\\s+1\\s+1 \\|");
    }

    @Test
    void filterReportRejectsUnlabelledLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"lang\": \"en\", \"text\": \"no label\"}\n");

        assertThat(FilterReport.run(new String[] {file.toString()}, out(), err())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("line 1");
        assertThat(FilterReport.run(new String[0], out(), err())).isEqualTo(2);
    }

    @Test
    void filterBenchMeasuresEveryStage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("corpus.jsonl");
        Files.writeString(file, String.join("\n", doc(null, Samples.EN_MEDICAL, "en"),
                doc(null, Samples.ZH_NEWS, "zh"), doc(null, Samples.RU_MEDICAL, "ru")) + "\n");

        int status = FilterBench.run(new String[] {"--corpus", file.toString(), "--repeat", "1", "--json"}, out(),
                err());

        assertThat(status).isZero();
        JsonNode report = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.get("documents").asInt()).isEqualTo(3);
        List<String> names = new java.util.ArrayList<>();
        report.get("timings").forEach(t -> {
            names.add(t.get("name").asText());
            assertThat(t.get("cpu_mb_per_s").asDouble()).isPositive();
        });
        assertThat(names).anyMatch(n -> n.contains("language ID")).anyMatch(n -> n.contains("quality"))
                .anyMatch(n -> n.contains("PII")).anyMatch(n -> n.contains("relevance mmedc"))
                .anyMatch(n -> n.contains("relevance lexical-v2")).anyMatch(n -> n.contains("before"))
                .anyMatch(n -> n.contains("full filter")).anyMatch(n -> n.contains("dedup"));
        report.get("timings").forEach(t -> assertThat(t.get("process_cpu_mb_per_s").asDouble()).isPositive());
        assertThat(report.get("ratio_default_over_before").asDouble()).isPositive();
        assertThat(report.get("full_filter_cpu_mb_per_s").asDouble()).isPositive();
        assertThat(FilterBench.run(new String[0], out(), err())).isEqualTo(2);
    }

    @Test
    void filterBenchMeasuresASliceOfTheCorpus(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("corpus.jsonl");
        Files.writeString(file, String.join("\n", doc(null, Samples.EN_MEDICAL, "en"),
                doc(null, Samples.ZH_NEWS, "zh"), doc(null, Samples.RU_MEDICAL, "ru"),
                doc(null, Samples.FR_MEDICAL, "fr")) + "\n");

        int status = FilterBench.run(new String[] {"--corpus", file.toString(), "--repeat", "1", "--json", "--langs",
                "en,ru,fr", "--skip", "1"}, out(), err());

        assertThat(status).isZero();
        assertThat(JSON.readTree(out.toString(StandardCharsets.UTF_8)).get("documents").asInt()).isEqualTo(2);
        assertThat(FilterBench.run(new String[] {"--corpus", file.toString(), "--langs", "ja"}, out(), err()))
                .isEqualTo(1);
    }

    private static String labelled(String lang, String label, String text) throws Exception {
        var node = JSON.createObjectNode();
        node.put("lang", lang);
        node.put("label", label);
        node.put("text", text);
        return JSON.writeValueAsString(node);
    }
}
