package io.mmedstream.coordinator.service;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Chooses the language sampling probabilities of a round from the tokens per language of its shards.
 *
 * <ul>
 * <li>{@link Mode#WEIGHTS}: the configured weights (by default the MMedC proportions of the paper: en 10.56,
 * zh 4.74, es 4.35, fr 2.10, ja 2.05, ru 1.69 billion tokens), renormalised over the languages the round has.
 * A language the round has but the weights do not name is not trained on.</li>
 * <li>{@link Mode#TEMPERATURE}: p(l) proportional to n(l)^(1/T), n(l) the round's tokens of language l; T = 1 keeps
 * the natural mix, larger T flattens it towards uniform (up-sampling small languages).</li>
 * </ul>
 * A language with fewer than {@code minLanguageWindows x seq_len} tokens in the round is left out in both modes: the
 * trainer picks a window's language by majority, so a language with a handful of tokens may own no window at all,
 * and a positive weight for a language without windows is an error there.
 */
public final class LanguageMixer {

    /** How the probabilities are chosen. */
    public enum Mode {
        WEIGHTS, TEMPERATURE
    }

    /** The MMedC corpus per language, billions of tokens (REFERENCE §1): the default weights. */
    public static final Map<String, Double> MMEDC_TOKENS = Map.of("en", 10.56, "zh", 4.74, "es", 4.35, "fr", 2.10,
            "ja", 2.05, "ru", 1.69);

    /**
     * The mixer's settings.
     *
     * @param mode weights or temperature
     * @param weights weight per language (any positive scale), used in {@link Mode#WEIGHTS}
     * @param temperature T of {@link Mode#TEMPERATURE}, positive
     * @param minLanguageWindows fewest tokens a language needs in a round to be sampled, in windows of seq_len
     */
    public record Settings(Mode mode, Map<String, Double> weights, double temperature, int minLanguageWindows) {

        public Settings {
            Objects.requireNonNull(mode, "mode");
            weights = Map.copyOf(weights);
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be positive and finite: " + temperature);
            }
            weights.forEach((lang, w) -> {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("weight of " + lang + " must be >= 0: " + w);
                }
            });
            if (minLanguageWindows < 0) {
                throw new IllegalArgumentException("minLanguageWindows must be >= 0: " + minLanguageWindows);
            }
            if (mode == Mode.WEIGHTS && weights.values().stream().noneMatch(w -> w > 0)) {
                throw new IllegalArgumentException("no language has a positive weight");
            }
        }
    }

    /**
     * The chosen mix.
     *
     * @param probabilities probability per language, summing to 1; empty when no language can be trained on
     * @param description {@code weights} or {@code temperature:<T>}
     * @param left languages of the round that are not trained on, with the reason
     */
    public record Mix(Map<String, Double> probabilities, String description, Map<String, String> left) {

        public boolean empty() {
            return probabilities.isEmpty();
        }
    }

    private final Settings settings;

    public LanguageMixer(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The mix for a round with these tokens per language, trained in windows of {@code seqLen}. */
    public Mix mix(Map<String, Long> tokensPerLang, int seqLen) {
        long minTokens = (long) settings.minLanguageWindows() * seqLen;
        Map<String, Double> raw = new TreeMap<>();
        Map<String, String> left = new TreeMap<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(tokensPerLang).entrySet()) {
            String lang = e.getKey();
            long tokens = e.getValue();
            if (tokens < minTokens || tokens <= 0) {
                left.put(lang, tokens + " tokens < " + minTokens);
                continue;
            }
            if (settings.mode() == Mode.WEIGHTS) {
                double w = settings.weights().getOrDefault(lang, 0.0);
                if (w > 0) {
                    raw.put(lang, w);
                } else {
                    left.put(lang, "no configured weight");
                }
            } else {
                raw.put(lang, Math.pow(tokens, 1.0 / settings.temperature()));
            }
        }
        double sum = raw.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> probabilities = new LinkedHashMap<>();
        raw.forEach((lang, w) -> probabilities.put(lang, w / sum));
        String description = settings.mode() == Mode.WEIGHTS ? "weights"
                : "temperature:" + String.format(Locale.ROOT, "%s", settings.temperature());
        return new Mix(probabilities, description, left);
    }

    /**
     * Parses weights written as {@code en=10.56,zh=4.74}. Blank means none.
     *
     * @throws IllegalArgumentException on a malformed entry
     */
    public static Map<String, Double> parseWeights(String text) {
        Map<String, Double> weights = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return weights;
        }
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0 || eq == trimmed.length() - 1) {
                throw new IllegalArgumentException("language weight '" + trimmed + "' is not lang=weight");
            }
            String lang = trimmed.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            try {
                weights.put(lang, Double.parseDouble(trimmed.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("language weight '" + trimmed + "' is not a number", e);
            }
        }
        return weights;
    }
}
