package io.mmedstream.inference.service;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.inference.domain.GenerationSpec;
import io.mmedstream.inference.domain.QuestionSpec;

/**
 * Checks requests before anything reaches the backend. A wrong field fails with
 * {@link InferenceException.Reason#INVALID_ARGUMENT} and a message that starts with the field's name, as the API's
 * proto names it ({@code max_tokens: ...}).
 */
public final class RequestValidator {

    /** Most stop strings a request may carry. */
    public static final int MAX_STOP_STRINGS = 8;
    /** Fewest options a question may have. */
    public static final int MIN_OPTIONS = 2;

    private final int defaultMaxTokens;
    private final int maxTokensLimit;

    public RequestValidator(int defaultMaxTokens, int maxTokensLimit) {
        if (maxTokensLimit < 1 || defaultMaxTokens < 1 || defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException("need 1 <= default max tokens (" + defaultMaxTokens + ") <= limit ("
                    + maxTokensLimit + ")");
        }
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
    }

    public int maxTokensLimit() {
        return maxTokensLimit;
    }

    /**
     * A generation request; null numbers take the defaults (max_tokens the configured default, temperature 1,
     * top_p 1).
     */
    public GenerationSpec generation(String prompt, Integer maxTokens, Double temperature, Double topP,
                                     List<String> stop, Long seed) {
        if (prompt == null || prompt.isBlank()) {
            throw InferenceException.invalid("prompt", "must not be empty");
        }
        int tokens = maxTokens == null ? defaultMaxTokens : maxTokens;
        if (tokens < 1 || tokens > maxTokensLimit) {
            throw InferenceException.invalid("max_tokens", "must be between 1 and " + maxTokensLimit + ", was "
                    + tokens);
        }
        double t = temperature == null ? 1.0 : temperature;
        if (!Double.isFinite(t) || t < 0) {
            throw InferenceException.invalid("temperature", "must be >= 0, was " + t);
        }
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) {
            throw InferenceException.invalid("top_p", "must be in (0, 1], was " + p);
        }
        List<String> stops = stop == null ? List.of() : stop;
        if (stops.size() > MAX_STOP_STRINGS) {
            throw InferenceException.invalid("stop", "at most " + MAX_STOP_STRINGS + " strings, was "
                    + stops.size());
        }
        for (int i = 0; i < stops.size(); i++) {
            if (stops.get(i) == null || stops.get(i).isEmpty()) {
                throw InferenceException.invalid("stop[" + i + "]", "must not be empty");
            }
        }
        return new GenerationSpec(prompt, tokens, t, p, stops, seed);
    }

    /** A multiple-choice question; an empty language is English. */
    public QuestionSpec question(String question, Map<String, String> options, String language,
                                 boolean withRationale) {
        if (question == null || question.isBlank()) {
            throw InferenceException.invalid("question", "must not be empty");
        }
        if (options == null || options.size() < MIN_OPTIONS) {
            throw InferenceException.invalid("options", "need at least " + MIN_OPTIONS + " options, got "
                    + (options == null ? 0 : options.size()));
        }
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            String key = option.getKey();
            if (key.length() != 1 || key.charAt(0) < 'A' || key.charAt(0) > 'Z') {
                throw InferenceException.invalid("options", "key \"" + key + "\" is not a letter A-Z");
            }
            if (option.getValue() == null || option.getValue().isBlank()) {
                throw InferenceException.invalid("options[" + key + "]", "must not be empty");
            }
        }
        Language lang;
        if (language == null || language.isBlank()) {
            lang = Language.ENGLISH;
        } else {
            lang = Language.fromName(language).orElseThrow(() -> InferenceException.invalid("language",
                    "unknown language \"" + language + "\"; one of English, Chinese, Japanese, French, Russian,"
                            + " Spanish (or en, zh, ja, fr, ru, es)"));
        }
        return new QuestionSpec(question, new TreeMap<>(options), lang, withRationale);
    }
}
