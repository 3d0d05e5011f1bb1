package io.mmedstream.eval.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.EvalException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads MMedBench {@code <Language>.jsonl} files (REFERENCE §2): one JSON object per line with {@code question},
 * {@code options} (object, keys "A".."E"), {@code answer_idx} ("B", "A,C" or a JSON list), {@code rationale},
 * {@code human_checked} and {@code human_check_passed}. Other fields (MedQA's {@code meta_info}, {@code source}, ...)
 * are ignored; blank lines are skipped. A malformed record stops the read with the file and line named: a benchmark
 * that silently loses questions would report a wrong accuracy.
 */
public final class BenchmarkReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarkReader() {
    }

    /**
     * Every language whose file is in {@code dir}, in {@link Language} order.
     *
     * @throws EvalException ({@link Reason#BAD_BENCHMARK}) when the directory holds none of the six files, or a
     *                       file is unreadable or malformed
     */
    public static Map<Language, List<BenchmarkQuestion>> readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new EvalException(Reason.BAD_BENCHMARK, dir + ": not a directory");
        }
        Map<Language, List<BenchmarkQuestion>> all = new EnumMap<>(Language.class);
        for (Language language : Language.values()) {
            Path file = dir.resolve(language.fileName());
            if (Files.isRegularFile(file)) {
                all.put(language, readFile(file, language));
            }
        }
        if (all.isEmpty()) {
            throw new EvalException(Reason.BAD_BENCHMARK, dir + ": none of the benchmark files "
                    + java.util.Arrays.stream(Language.values()).map(Language::fileName).toList() + " is there");
        }
        return Collections.unmodifiableMap(all);
    }

    /** The questions of one file, in file order. */
    public static List<BenchmarkQuestion> readFile(Path file, Language language) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, language, file.toString());
        } catch (IOException e) {
            throw new EvalException(Reason.BAD_BENCHMARK, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The questions of one JSONL stream, in order.
     *
     * @param source the name used in error messages (a file name)
     */
    public static List<BenchmarkQuestion> read(Reader reader, Language language, String source) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<BenchmarkQuestion> questions = new ArrayList<>();
        String line;
        int lineNumber = 0;
        while ((line = lines.readLine()) != null) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                questions.add(parseRecord(JSON.readTree(line), language, questions.size()));
            } catch (JsonProcessingException e) {
                throw new EvalException(Reason.BAD_BENCHMARK,
                        source + ":" + lineNumber + ": not a JSON object: " + e.getOriginalMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new EvalException(Reason.BAD_BENCHMARK, source + ":" + lineNumber + ": " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableList(questions);
    }

    private static BenchmarkQuestion parseRecord(JsonNode node, Language language, int index) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String question = requiredText(node, "question");
        JsonNode optionsNode = node.get("options");
        if (optionsNode == null || !optionsNode.isObject() || optionsNode.isEmpty()) {
            throw new IllegalArgumentException("\"options\" must be a non-empty object");
        }
        TreeMap<String, String> options = new TreeMap<>();
        for (Map.Entry<String, JsonNode> option : optionsNode.properties()) {
            if (!option.getKey().matches("[A-Z]")) {
                throw new IllegalArgumentException("option key \"" + option.getKey() + "\" is not one letter A-Z");
            }
            if (!option.getValue().isTextual()) {
                throw new IllegalArgumentException("option " + option.getKey() + " is not a string");
            }
            options.put(option.getKey(), option.getValue().asText());
        }
        SortedSet<String> answer = answer(node.get("answer_idx"));
        if (!options.keySet().containsAll(answer)) {
            throw new IllegalArgumentException("answer_idx " + answer + " names a key outside the options "
                    + options.keySet());
        }
        JsonNode rationale = node.get("rationale");
        return new BenchmarkQuestion(language, index, question, options, answer,
                rationale == null || rationale.isNull() ? "" : rationale.asText(),
                node.path("human_checked").asBoolean(false),
                node.path("human_check_passed").asBoolean(false));
    }

    private static SortedSet<String> answer(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("\"answer_idx\" is missing");
        }
        if (node.isTextual()) {
            return AnswerKeys.parse(node.asText());
        }
        if (node.isArray()) {
            SortedSet<String> keys = new TreeSet<>();
            for (JsonNode key : node) {
                if (!key.isTextual()) {
                    throw new IllegalArgumentException("\"answer_idx\" list holds a non-string");
                }
                keys.addAll(AnswerKeys.parse(key.asText()));
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("\"answer_idx\" is an empty list");
            }
            return keys;
        }
        throw new IllegalArgumentException("\"answer_idx\" must be a string or a list of strings");
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return value.asText();
    }
}
