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
 *
 * <p>Messages never repeat a client's text: they give sizes and positions, and quote a value only when it is short
 * and printable (a language name, an option key), so an error log or a client's error report cannot carry a prompt.
 *
 * <p>Text fields may hold any Unicode text except control characters other than tab, line feed and carriage return
 * (C0, DEL and C1): they have no place in a medical question, some tokenizers turn them into special tokens, and a
 * NUL cuts strings short in C backends. (Invalid UTF-8 never gets here: protobuf refuses it while parsing.)
 */
public final class RequestValidator {

    /** Fewest options a question may have. */
    public static final int MIN_OPTIONS = 2;
    /** Longest value quoted back in a message. */
    private static final int QUOTE_MAX = 16;

    /**
     * Bounds on request fields.
     *
     * @param promptMaxBytes largest prompt or question, UTF-8 bytes
     * @param maxOptions     most options per question
     * @param optionMaxBytes largest option text, UTF-8 bytes
     * @param maxStop        most stop sequences
     * @param stopMaxBytes   largest stop sequence, UTF-8 bytes
     */
    public record Limits(int promptMaxBytes, int maxOptions, int optionMaxBytes, int maxStop, int stopMaxBytes) {

        /** The configuration's defaults. */
        public static final Limits DEFAULTS = new Limits(65_536, 16, 4_096, 8, 64);

        public Limits {
            if (promptMaxBytes < 1 || maxOptions < MIN_OPTIONS || optionMaxBytes < 1 || maxStop < 0
                    || stopMaxBytes < 1) {
                throw new IllegalArgumentException("request limits out of range: " + this);
            }
        }
    }

    private final int defaultMaxTokens;
    private final int maxTokensLimit;
    private final Limits limits;

    public RequestValidator(int defaultMaxTokens, int maxTokensLimit) {
        this(defaultMaxTokens, maxTokensLimit, Limits.DEFAULTS);
    }

    public RequestValidator(int defaultMaxTokens, int maxTokensLimit, Limits limits) {
        if (maxTokensLimit < 1 || defaultMaxTokens < 1 || defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException("need 1 <= default max tokens (" + defaultMaxTokens + ") <= limit ("
                    + maxTokensLimit + ")");
        }
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
        this.limits = limits;
    }

    public int maxTokensLimit() {
        return maxTokensLimit;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * A generation request; null numbers take the defaults (max_tokens the configured default, temperature 1,
     * top_p 1).
     */
    public GenerationSpec generation(String prompt, Integer maxTokens, Double temperature, Double topP,
                                     List<String> stop, Long seed) {
        text("prompt", prompt, limits.promptMaxBytes());
        int tokens = maxTokens == null ? defaultMaxTokens : maxTokens;
        if (tokens < 1 || tokens > maxTokensLimit) {
            throw InferenceException.invalid("max_tokens", "must be between 1 and " + maxTokensLimit + ", was "
                    + tokens);
        }
        double t = temperature == null ? 1.0 : temperature;
        if (!Double.isFinite(t) || t < 0) {
            throw InferenceException.invalid("temperature", "must be a finite number >= 0, was " + t);
        }
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) {
            throw InferenceException.invalid("top_p", "must be in (0, 1], was " + p);
        }
        List<String> stops = stop == null ? List.of() : stop;
        if (stops.size() > limits.maxStop()) {
            throw InferenceException.invalid("stop", "at most " + limits.maxStop() + " sequences, was "
                    + stops.size());
        }
        for (int i = 0; i < stops.size(); i++) {
            String s = stops.get(i);
            String field = "stop[" + i + "]";
            if (s == null || s.isEmpty()) {
                throw InferenceException.invalid(field, "must not be empty");
            }
            bounded(field, s, limits.stopMaxBytes());
            // Whitespace-only stop sequences ("\n") are common and fine; only controls are refused.
            noControls(field, s);
        }
        return new GenerationSpec(prompt, tokens, t, p, stops, seed);
    }

    /** A multiple-choice question; an empty language is English. */
    public QuestionSpec question(String question, Map<String, String> options, String language,
                                 boolean withRationale) {
        text("question", question, limits.promptMaxBytes());
        int count = options == null ? 0 : options.size();
        if (count < MIN_OPTIONS) {
            throw InferenceException.invalid("options", "need at least " + MIN_OPTIONS + " options, got " + count);
        }
        if (count > limits.maxOptions()) {
            throw InferenceException.invalid("options", "at most " + limits.maxOptions() + " options, got " + count);
        }
        for (Map.Entry<String, String> option : new TreeMap<>(options).entrySet()) {
            String key = option.getKey();
            if (key.length() != 1 || key.charAt(0) < 'A' || key.charAt(0) > 'Z') {
                throw InferenceException.invalid("options", "key " + quote(key) + " is not a letter A-Z");
            }
            text("options[" + key + "]", option.getValue(), limits.optionMaxBytes());
        }
        Language lang;
        if (language == null || language.isBlank()) {
            lang = Language.ENGLISH;
        } else {
            lang = Language.fromName(language).orElseThrow(() -> InferenceException.invalid("language",
                    "unknown language " + quote(language) + "; one of English, Chinese, Japanese, French, Russian,"
                            + " Spanish (or en, zh, ja, fr, ru, es)"));
        }
        return new QuestionSpec(question, new TreeMap<>(options), lang, withRationale);
    }

    /** A required text field: not blank, at most {@code maxBytes} UTF-8 bytes, no control characters. */
    private static void text(String field, String value, int maxBytes) {
        if (value == null || value.isBlank()) {
            throw InferenceException.invalid(field, "must not be empty");
        }
        bounded(field, value, maxBytes);
        noControls(field, value);
    }

    private static void bounded(String field, String value, int maxBytes) {
        long bytes = utf8Length(value);
        if (bytes > maxBytes) {
            throw InferenceException.invalid(field, "is " + bytes + " bytes (UTF-8), at most " + maxBytes);
        }
    }

    private static void noControls(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isRefusedControl(c)) {
                throw InferenceException.invalid(field, String.format("control character U+%04X at index %d; only"
                        + " tab, line feed and carriage return are allowed", (int) c, i));
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw InferenceException.invalid(field, "unpaired surrogate at index " + i);
                }
                i++;
            }
        }
    }

    /** C0 controls except tab, LF and CR; DEL; C1 controls. */
    static boolean isRefusedControl(char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F);
    }

    /** UTF-8 length without encoding (a lone surrogate counts as the 3-byte replacement the encoder writes). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** A value quoted in a message only when short and printable; otherwise just its length. */
    static String quote(String value) {
        if (value.length() <= QUOTE_MAX && value.chars().noneMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F)
                || c == '"' || Character.isSurrogate((char) c))) {
            return "\"" + value + "\"";
        }
        return "(" + value.length() + " characters, not shown)";
    }
}
