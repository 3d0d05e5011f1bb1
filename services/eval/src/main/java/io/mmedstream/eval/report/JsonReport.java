package io.mmedstream.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.EvalException.Reason;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.metrics.AccuracySummary;
import io.mmedstream.eval.metrics.RationaleMetric;
import io.mmedstream.eval.metrics.RationaleSummary;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The JSON evaluation report:
 * <pre>{@code
 * {"checkpoint": "...",                                   (only when known)
 *  "languages": {"English": {"n": 40, "correct": 20, "accuracy": 50.0, "unparseable": 1}, ...},
 *  "mean_accuracy": 50.0,
 *  "rationale": {"languages": {"English": {"n": 3, "BLEU-1": ..., ..., "ROUGE-L": ...}, ...},   (only when scored)
 *                "mean": {"BLEU-1": ..., ...}}}
 * }</pre>
 * Languages in benchmark order, only those scored. Accuracy and metrics in percent, rounded to 4 decimals;
 * {@code mean_accuracy} is the unweighted mean over the listed languages. Without checkpoint and rationale this is
 * exactly the output of {@code mmed score --json}.
 */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /**
     * The report as a JSON tree.
     *
     * @param checkpoint the checkpoint evaluated, or null (offline scoring)
     * @param rationale  rationale similarity, or null when not computed
     */
    public static ObjectNode toJson(String checkpoint, AccuracySummary accuracy, RationaleSummary rationale) {
        ObjectNode root = JSON.createObjectNode();
        if (checkpoint != null) {
            root.put("checkpoint", checkpoint);
        }
        ObjectNode languages = root.putObject("languages");
        accuracy.languages().forEach((language, result) -> {
            ObjectNode node = languages.putObject(language.displayName());
            node.put("n", result.n());
            node.put("correct", result.correct());
            node.put("accuracy", round(result.accuracy()));
            node.put("unparseable", result.unparseable());
        });
        root.put("mean_accuracy", round(accuracy.meanAccuracy()));
        if (rationale != null) {
            ObjectNode rationaleNode = root.putObject("rationale");
            ObjectNode perLanguage = rationaleNode.putObject("languages");
            rationale.languages().forEach((language, result) -> {
                ObjectNode node = perLanguage.putObject(language.displayName());
                node.put("n", result.n());
                for (RationaleMetric metric : RationaleMetric.values()) {
                    node.put(metric.label(), round(result.score(metric)));
                }
            });
            ObjectNode mean = rationaleNode.putObject("mean");
            for (RationaleMetric metric : RationaleMetric.values()) {
                mean.put(metric.label(), round(rationale.mean(metric)));
            }
        }
        return root;
    }

    /** The report as JSON text on one line (what {@code mmed score --json} prints). */
    public static String render(String checkpoint, AccuracySummary accuracy, RationaleSummary rationale) {
        return write(JSON, checkpoint, accuracy, rationale);
    }

    /** The report as indented JSON text (what report files hold). */
    public static String renderPretty(String checkpoint, AccuracySummary accuracy, RationaleSummary rationale) {
        return write(PRETTY, checkpoint, accuracy, rationale);
    }

    private static String write(ObjectMapper mapper, String checkpoint, AccuracySummary accuracy,
            RationaleSummary rationale) {
        try {
            return mapper.writeValueAsString(toJson(checkpoint, accuracy, rationale));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** Writes the report to a file, replacing it. */
    public static void writeFile(Path file, String checkpoint, AccuracySummary accuracy, RationaleSummary rationale) {
        try {
            Files.writeString(file, renderPretty(checkpoint, accuracy, rationale) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException(Reason.REPORT_IO, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** The accuracies of a report written by {@link #render}; the checkpoint must be in it. */
    public static CheckpointAccuracy readAccuracy(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new EvalException(Reason.REPORT_IO, source + ": not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode checkpoint = root.path("checkpoint");
        JsonNode languages = root.path("languages");
        JsonNode mean = root.path("mean_accuracy");
        if (!checkpoint.isTextual() || !languages.isObject() || !mean.isNumber()) {
            throw new EvalException(Reason.REPORT_IO, source
                    + ": not an evaluation report (needs checkpoint, languages, mean_accuracy)");
        }
        Map<Language, Double> accuracy = new EnumMap<>(Language.class);
        for (Map.Entry<String, JsonNode> entry : languages.properties()) {
            Language language = Language.fromName(entry.getKey()).orElseThrow(() -> new EvalException(
                    Reason.REPORT_IO, source + ": unknown language " + entry.getKey()));
            JsonNode value = entry.getValue().path("accuracy");
            if (!value.isNumber()) {
                throw new EvalException(Reason.REPORT_IO, source + ": " + entry.getKey() + " has no accuracy");
            }
            accuracy.put(language, value.asDouble());
        }
        return new CheckpointAccuracy(checkpoint.asText(), accuracy, mean.asDouble());
    }

    /** Reads {@link #readAccuracy} from a file. */
    public static CheckpointAccuracy readAccuracyFile(Path file) {
        try {
            return readAccuracy(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new EvalException(Reason.REPORT_IO, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Percent figures keep 4 decimals: enough to compare, without binary noise such as 33.333333333333336. */
    static double round(double value) {
        return BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_UP).doubleValue();
    }

    /** The accuracy summary's per-language figures, for callers that hold a summary rather than a report. */
    public static CheckpointAccuracy checkpointAccuracy(String checkpoint, AccuracySummary accuracy) {
        Map<Language, Double> perLanguage = new EnumMap<>(Language.class);
        accuracy.languages().forEach((language, result) -> perLanguage.put(language, result.accuracy()));
        return new CheckpointAccuracy(checkpoint, perLanguage, accuracy.meanAccuracy());
    }
}
