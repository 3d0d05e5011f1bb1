package io.mmedstream.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.metrics.AccuracySummary;
import io.mmedstream.eval.metrics.LanguageAccuracy;
import io.mmedstream.eval.metrics.LanguageRationale;
import io.mmedstream.eval.metrics.RationaleMetric;
import io.mmedstream.eval.metrics.RationaleSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {

    private static final AccuracySummary ACCURACY = new AccuracySummary(Map.of(
            Language.SPANISH, new LanguageAccuracy(3, 1, 1),
            Language.ENGLISH, new LanguageAccuracy(4, 2, 0)));

    @Test
    void accuracyReportHasTheScoreShapeInPercent() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(null, ACCURACY, null));

        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("languages", "mean_accuracy");
        List<String> languages = new ArrayList<>();
        json.get("languages").fieldNames().forEachRemaining(languages::add);
        assertThat(languages).containsExactly("English", "Spanish");
        JsonNode spanish = json.get("languages").get("Spanish");
        List<String> spanishFields = new ArrayList<>();
        spanish.fieldNames().forEachRemaining(spanishFields::add);
        assertThat(spanishFields).containsExactly("n", "correct", "accuracy", "unparseable");
        assertThat(spanish.get("n").asInt()).isEqualTo(3);
        assertThat(spanish.get("correct").asInt()).isEqualTo(1);
        assertThat(spanish.get("accuracy").asDouble()).isEqualTo(33.3333);
        assertThat(spanish.get("unparseable").asInt()).isEqualTo(1);
        // (50 + 33.333...) / 2 = 41.6666... -> 41.6667
        assertThat(json.get("mean_accuracy").asDouble()).isEqualTo(41.6667);
    }

    @Test
    void rationaleAndCheckpointAppearWhenGiven() throws Exception {
        Map<RationaleMetric, Double> scores = new EnumMap<>(RationaleMetric.class);
        for (RationaleMetric metric : RationaleMetric.values()) {
            scores.put(metric, 10.0 + metric.ordinal());
        }
        RationaleSummary rationale = new RationaleSummary(Map.of(Language.ENGLISH, new LanguageRationale(2, scores)));

        JsonNode json = new ObjectMapper().readTree(JsonReport.render("ckpt-7", ACCURACY, rationale));

        assertThat(json.get("checkpoint").asText()).isEqualTo("ckpt-7");
        JsonNode english = json.get("rationale").get("languages").get("English");
        assertThat(english.get("n").asInt()).isEqualTo(2);
        assertThat(english.get("BLEU-1").asDouble()).isEqualTo(10.0);
        assertThat(english.get("cumulative BLEU-4").asDouble()).isEqualTo(14.0);
        assertThat(english.get("ROUGE-L").asDouble()).isEqualTo(17.0);
        assertThat(json.get("rationale").get("mean").get("ROUGE-1").asDouble()).isEqualTo(15.0);
    }

    @Test
    void aWrittenReportReadsBackAsCheckpointAccuracy(@TempDir Path dir) {
        Path file = dir.resolve("report.json");
        JsonReport.writeFile(file, "ckpt-7", ACCURACY, null);

        CheckpointAccuracy read = JsonReport.readAccuracyFile(file);

        assertThat(read.checkpoint()).isEqualTo("ckpt-7");
        assertThat(read.accuracy()).containsOnlyKeys(Language.ENGLISH, Language.SPANISH);
        assertThat(read.accuracy().get(Language.ENGLISH)).isEqualTo(50.0);
        assertThat(read.meanAccuracy()).isCloseTo(41.6667, within(1e-9));
        assertThatThrownBy(() -> JsonReport.readAccuracy("{\"languages\": {}}", "x.json"))
                .isInstanceOf(EvalException.class).hasMessageContaining("x.json: not an evaluation report");
    }
}
