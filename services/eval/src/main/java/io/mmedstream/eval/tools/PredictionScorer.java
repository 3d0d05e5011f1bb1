package io.mmedstream.eval.tools;

import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.EvalException.Reason;
import io.mmedstream.eval.benchmark.AnswerKeys;
import io.mmedstream.eval.benchmark.BenchmarkQuestion;
import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.benchmark.MmedPrompt;
import io.mmedstream.eval.metrics.AccuracySummary;
import io.mmedstream.eval.metrics.AccuracyTally;
import io.mmedstream.eval.metrics.RationaleSummary;
import io.mmedstream.eval.metrics.RationaleTally;
import io.mmedstream.eval.parse.AnswerParser;
import io.mmedstream.eval.parse.ModelOutput;
import io.mmedstream.eval.parse.ParsedAnswer;
import io.mmedstream.eval.report.LeaderboardRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Scores leaderboard rows offline: parses every {@code ModelOutput}, compares it with {@code GT_Answer}, and, given
 * the benchmark's records, scores rationales on human_check_passed items.
 *
 * <p>The question's options (valid letters, and texts an output may give instead of a letter) come from the matched
 * benchmark record when references are given, otherwise from the {@code ###Options:} part of {@code ModelInput}
 * ({@code "A. text B. text "}); when neither has them, letters A-E are accepted and option texts are not.
 *
 * <p>Rows are matched to records per language either by {@link Match#INPUT} (the {@code ###Question: ...
 * ###Options: ...} input inside {@code ModelInput}, with or without the frame, equals the record's
 * {@link MmedPrompt#input}; duplicates pair in order) or by {@link Match#ORDER} (the k-th row of a language is the
 * k-th record of its file; the counts must be equal). A row that matches nothing stops the run: a rationale scored
 * against the wrong reference would be silently wrong.
 */
public final class PredictionScorer {

    /** How rows are paired with benchmark records. */
    public enum Match {
        /** By the question and options in {@code ModelInput}. */
        INPUT,
        /** By position within each language. */
        ORDER
    }

    /**
     * What a scoring run found.
     *
     * @param accuracy         per-language accuracy and unparseable counts
     * @param rationale        rationale similarity, or null when not asked for
     * @param rationaleSkipped human_check_passed items skipped because their reference rationale was empty
     * @param warnings         things a user should know about the figures (not errors)
     */
    public record Result(AccuracySummary accuracy, RationaleSummary rationale, int rationaleSkipped,
            List<String> warnings) {
    }

    private static final SortedMap<String, String> DEFAULT_OPTIONS = defaultOptions();
    private static final String OPTIONS_TAG = "###Options:";

    private final AnswerParser parser = new AnswerParser();

    /**
     * Scores the rows.
     *
     * @param rows       the leaderboard rows, in file order
     * @param references the benchmark's records per language, or null
     * @param match      how rows pair with records (used only with references)
     * @param rationale  whether to score rationales (needs references)
     * @param source     the rows' file name, for messages
     */
    public Result score(List<LeaderboardRow> rows, Map<Language, List<BenchmarkQuestion>> references, Match match,
            boolean rationale, String source) {
        if (rationale && references == null) {
            throw new IllegalArgumentException("rationale scoring needs the benchmark's records");
        }
        if (rows.isEmpty()) {
            throw new EvalException(Reason.BAD_PREDICTIONS, source + ": no rows after the header");
        }
        List<BenchmarkQuestion> matched = references == null
                ? Collections.nCopies(rows.size(), null) : pair(rows, references, match, source);
        List<String> warnings = new ArrayList<>();
        AccuracyTally accuracy = new AccuracyTally();
        RationaleTally rationales = rationale ? new RationaleTally() : null;
        int withoutOptions = 0;
        int goldDisagrees = 0;
        int rationaleItems = 0;
        for (int i = 0; i < rows.size(); i++) {
            LeaderboardRow row = rows.get(i);
            BenchmarkQuestion question = matched.get(i);
            SortedSet<String> gold;
            try {
                gold = AnswerKeys.parse(row.gtAnswer());
            } catch (IllegalArgumentException e) {
                throw new EvalException(Reason.BAD_PREDICTIONS, source + ": row " + (i + 1) + " (" + row.language()
                        .displayName() + "): GT_Answer: " + e.getMessage(), e);
            }
            Map<String, String> options;
            if (question != null) {
                options = question.options();
                if (!question.answer().equals(gold)) {
                    goldDisagrees++;
                }
            } else {
                options = optionsFromInput(row.modelInput());
                if (options.isEmpty()) {
                    options = DEFAULT_OPTIONS;
                    withoutOptions++;
                }
            }
            if (!options.keySet().containsAll(gold)) {
                throw new EvalException(Reason.BAD_PREDICTIONS, source + ": row " + (i + 1) + " (" + row.language()
                        .displayName() + "): GT_Answer " + gold + " names a letter outside the options "
                        + options.keySet());
            }
            ParsedAnswer answer = parser.parse(row.modelOutput(), options);
            accuracy.record(row.language(), answer, gold);
            if (rationales != null && question.humanCheckPassed()) {
                rationales.record(row.language(), ModelOutput.rationale(row.modelOutput()), question.rationale());
                rationaleItems++;
            }
        }
        if (withoutOptions > 0) {
            warnings.add(withoutOptions + " row(s) have no \"###Options:\" in ModelInput: letters A-E accepted,"
                    + " option texts not recognised");
        }
        if (goldDisagrees > 0) {
            warnings.add(goldDisagrees + " row(s) have a GT_Answer that differs from the benchmark's answer_idx;"
                    + " GT_Answer was used");
        }
        if (rationale && rationaleItems == 0) {
            warnings.add("no row matches a human_check_passed record: no rationale was scored");
        }
        int skipped = rationales == null ? 0 : rationales.skipped();
        if (skipped > 0) {
            warnings.add(skipped + " human_check_passed record(s) have an empty rationale and were skipped");
        }
        AccuracySummary summary = accuracy.summary();
        if (!summary.coversAllLanguages()) {
            warnings.add("only " + summary.languages().size() + " of 6 languages scored: mean_accuracy is their"
                    + " mean, not the benchmark's six-language mean");
        }
        return new Result(summary, rationales == null ? null : rationales.summary(), skipped,
                Collections.unmodifiableList(warnings));
    }

    /** The record each row stands for, by {@code match}. */
    private static List<BenchmarkQuestion> pair(List<LeaderboardRow> rows,
            Map<Language, List<BenchmarkQuestion>> references, Match match, String source) {
        for (LeaderboardRow row : rows) {
            if (!references.containsKey(row.language())) {
                throw new EvalException(Reason.UNMATCHED_PREDICTION, source + ": rows in " + row.language()
                        .displayName() + " but the references have no " + row.language().fileName());
            }
        }
        return match == Match.ORDER ? pairByOrder(rows, references, source) : pairByInput(rows, references, source);
    }

    private static List<BenchmarkQuestion> pairByOrder(List<LeaderboardRow> rows,
            Map<Language, List<BenchmarkQuestion>> references, String source) {
        Map<Language, Integer> next = new EnumMap<>(Language.class);
        List<BenchmarkQuestion> paired = new ArrayList<>();
        for (LeaderboardRow row : rows) {
            paired.add(null);
            next.merge(row.language(), 1, Integer::sum);
        }
        next.forEach((language, count) -> {
            int records = references.get(language).size();
            if (count != records) {
                throw new EvalException(Reason.UNMATCHED_PREDICTION, source + ": " + count + " " + language
                        .displayName() + " rows but " + records + " records in " + language.fileName()
                        + ": matching by order needs one row per record");
            }
        });
        Map<Language, Integer> position = new EnumMap<>(Language.class);
        for (int i = 0; i < rows.size(); i++) {
            Language language = rows.get(i).language();
            int k = position.merge(language, 1, Integer::sum) - 1;
            paired.set(i, references.get(language).get(k));
        }
        return paired;
    }

    private static List<BenchmarkQuestion> pairByInput(List<LeaderboardRow> rows,
            Map<Language, List<BenchmarkQuestion>> references, String source) {
        Map<Language, Map<String, Deque<BenchmarkQuestion>>> byInput = new EnumMap<>(Language.class);
        references.forEach((language, questions) -> {
            Map<String, Deque<BenchmarkQuestion>> index = new HashMap<>();
            for (BenchmarkQuestion q : questions) {
                index.computeIfAbsent(MmedPrompt.input(q).strip(), k -> new ArrayDeque<>()).add(q);
            }
            byInput.put(language, index);
        });
        List<BenchmarkQuestion> paired = new ArrayList<>();
        List<Integer> unmatched = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            LeaderboardRow row = rows.get(i);
            Deque<BenchmarkQuestion> candidates = byInput.get(row.language()).get(inputOf(row.modelInput()));
            BenchmarkQuestion question = candidates == null ? null : candidates.poll();
            if (question == null) {
                unmatched.add(i + 1);
            }
            paired.add(question);
        }
        if (!unmatched.isEmpty()) {
            throw new EvalException(Reason.UNMATCHED_PREDICTION, source + ": " + unmatched.size() + " row(s) match"
                    + " no benchmark record by ModelInput (rows " + unmatched.subList(0, Math.min(10, unmatched.size()))
                    + (unmatched.size() > 10 ? " ..." : "") + "); the ModelInput must hold the record's exact"
                    + " \"###Question: ... ###Options: ...\" input, or match by order with --match order");
        }
        return paired;
    }

    /** The {@code ###Question: ... ###Options: ...} input of a prompt, with or without the Alpaca frame, stripped. */
    static String inputOf(String modelInput) {
        String text = modelInput.replace("\r\n", "\n");
        int input = text.indexOf("### Input:\n");
        if (input >= 0) {
            text = text.substring(input + "### Input:\n".length());
        }
        int response = text.indexOf("\n\n### Response:");
        if (response >= 0) {
            text = text.substring(0, response);
        }
        return text.strip();
    }

    /**
     * The options written in a prompt's {@code ###Options: A. text B. text } part: keys from A on, each text up to
     * the next key's {@code " X. "}. Empty when the prompt has no such part. (An option text that itself holds the
     * next key's marker would be cut short; references avoid that.)
     */
    static SortedMap<String, String> optionsFromInput(String modelInput) {
        String input = inputOf(modelInput);
        int tag = input.lastIndexOf(OPTIONS_TAG);
        SortedMap<String, String> options = new TreeMap<>();
        if (tag < 0) {
            return options;
        }
        String text = " " + input.substring(tag + OPTIONS_TAG.length()).strip() + " ";
        char key = 'A';
        int start = text.indexOf(" A. ");
        if (start != 0) {
            return options;
        }
        while (start >= 0) {
            int textStart = start + 4;
            char nextKey = (char) (key + 1);
            int next = nextKey <= 'Z' ? text.indexOf(" " + nextKey + ". ", textStart) : -1;
            options.put(String.valueOf(key), text.substring(textStart, next < 0 ? text.length() : next).strip());
            start = next;
            key = nextKey;
        }
        return options;
    }

    private static SortedMap<String, String> defaultOptions() {
        SortedMap<String, String> options = new TreeMap<>();
        for (char key = 'A'; key <= 'E'; key++) {
            options.put(String.valueOf(key), "");
        }
        return Collections.unmodifiableSortedMap(options);
    }
}
