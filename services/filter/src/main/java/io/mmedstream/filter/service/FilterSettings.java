package io.mmedstream.filter.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * Everything {@link DocumentFilter} needs to know, as plain values: the service builds it from its configuration
 * ({@code mmed.filter.*}), tools and benchmarks from {@link #defaults()} or a {@link #builder()}.
 *
 * @param languages             the languages kept (ISO 639-1), each with a lexicon in the relevance set
 * @param otherLanguages        languages the detector also knows so that text in them is recognised as "other"
 *                              rather than mistaken for a near kept language (Italian for Spanish)
 * @param minChars              shorter texts (in code points) are dropped as too_short without detection
 * @param minLetters            texts with fewer letters are dropped as too_short
 * @param detectionMaxChars     language identification reads at most this many code points from the start
 * @param minLanguageConfidence smallest {@code lang_confidence} (margin over the runner-up) that is trusted
 * @param minKanaShare          CJK text is Japanese when kana are at least this share of its CJK letters
 * @param lowAccuracyMode       Lingua's low-accuracy mode (trigrams only: smaller, weaker on short text)
 * @param quickChars            Lingua first reads only this many code points of the sample and decides on them alone
 *                              when the margin is at least {@code quickMinConfidence}; 0 reads the whole sample at
 *                              once
 * @param quickMinConfidence    smallest margin of that first look that decides (at least
 *                              {@code minLanguageConfidence} in effect)
 * @param functionWordCheck     decide clear cases by exclusive function words before asking Lingua
 *                              ({@link FunctionWords})
 * @param relevanceMode         the lexicon set (and relevance method) to use: {@code lexical-v2} (default) or
 *                              {@code mmedc}, the paper's
 * @param minKeywords           mmedc: per-language overrides of the lexicon's minimum distinct-keyword count
 * @param minDensity            per-language overrides of the lexicon's minimum density (keyword density for mmedc,
 *                              weighted term density for lexical-v2)
 * @param minEvidence           lexical-v2: per-language overrides of the term list's minimum evidence
 * @param quality               the quality rules' thresholds
 * @param piiMasking            whether accepted texts have personal data masked ({@link PiiMasker})
 * @param minIdDigits           PII: a run of at least this many digits is an identifier
 */
public record FilterSettings(List<String> languages, List<String> otherLanguages, int minChars, int minLetters,
        int detectionMaxChars, double minLanguageConfidence, double minKanaShare, boolean lowAccuracyMode,
        int quickChars, double quickMinConfidence, boolean functionWordCheck, String relevanceMode, Map<String, Integer> minKeywords, Map<String, Double> minDensity,
        Map<String, Double> minEvidence, QualitySettings quality, boolean piiMasking, int minIdDigits) {

    public static final List<String> DEFAULT_LANGUAGES = List.of("en", "zh", "ja", "fr", "ru", "es");
    /** Widely written languages sharing a script with a default language, so often mistaken for one. */
    public static final List<String> DEFAULT_OTHER_LANGUAGES =
            List.of("de", "it", "pt", "nl", "pl", "ca", "tr", "vi", "id", "uk", "bg");
    public static final int DEFAULT_MIN_CHARS = 50;
    public static final int DEFAULT_MIN_LETTERS = 20;
    /**
     * Lingua's cost grows with the sample (its text clean-up is regular-expression work per character): 600
     * characters (about 100 words) identify the language as reliably as 2,000 (every dev-file document over 200
     * characters either way) at about 2.5 times the speed.
     */
    public static final int DEFAULT_DETECTION_MAX_CHARS = 600;
    public static final double DEFAULT_MIN_LANGUAGE_CONFIDENCE = 0.02;
    /**
     * The first look: on the dev file and the bench corpus, 200 characters with a margin of at least 0.06 decide 98 %
     * of the Latin and Cyrillic documents, always as the whole sample does, at a third of its cost (see the README).
     */
    public static final int DEFAULT_QUICK_CHARS = 200;
    public static final double DEFAULT_QUICK_MIN_CONFIDENCE = 0.06;
    public static final double DEFAULT_MIN_KANA_SHARE = 0.05;
    public static final String DEFAULT_RELEVANCE_MODE = "lexical-v2";
    /** The paper's relevance mode. */
    public static final String MMEDC_MODE = "mmedc";
    public static final int DEFAULT_MIN_ID_DIGITS = 9;

    public FilterSettings {
        List<String> kept = normalise(languages, "languages");
        languages = kept;
        otherLanguages = normalise(otherLanguages, "other languages").stream()
                .filter(l -> !kept.contains(l)).toList();
        if (languages.isEmpty()) {
            throw invalid("at least one language must be configured");
        }
        if (minChars < 0 || minLetters < 0) {
            throw invalid("min-chars and min-letters must be >= 0");
        }
        if (detectionMaxChars < 1) {
            throw invalid("the detection sample must hold at least 1 character, got " + detectionMaxChars);
        }
        if (!(minLanguageConfidence >= 0.0 && minLanguageConfidence <= 1.0)) {
            throw invalid("min language confidence must be within [0, 1], got " + minLanguageConfidence);
        }
        if (quickChars < 0) {
            throw invalid("the quick detection sample must be >= 0 characters (0: off), got " + quickChars);
        }
        if (!(quickMinConfidence >= 0.0 && quickMinConfidence <= 1.0)) {
            throw invalid("quick min language confidence must be within [0, 1], got " + quickMinConfidence);
        }
        if (!(minKanaShare >= 0.0 && minKanaShare <= 1.0)) {
            throw invalid("min kana share must be within [0, 1], got " + minKanaShare);
        }
        if (relevanceMode == null || !relevanceMode.matches("[a-z0-9_-]+")) {
            throw invalid("relevance mode must be a lower-case name, got " + relevanceMode);
        }
        minKeywords = Map.copyOf(lowerKeys(minKeywords));
        minDensity = Map.copyOf(lowerKeys(minDensity));
        minEvidence = Map.copyOf(lowerKeys(minEvidence));
        if (quality == null) {
            throw invalid("quality settings must not be null");
        }
        if (minIdDigits < 9) {
            throw invalid("pii min-id-digits must be at least 9, got " + minIdDigits);
        }
    }

    /**
     * The documented defaults: six languages, relevance mode {@code lexical-v2} with its term lists' thresholds,
     * detection on the first 600 characters, quality rules and PII masking on.
     */
    public static FilterSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.languages = languages;
        b.otherLanguages = otherLanguages;
        b.minChars = minChars;
        b.minLetters = minLetters;
        b.detectionMaxChars = detectionMaxChars;
        b.minLanguageConfidence = minLanguageConfidence;
        b.minKanaShare = minKanaShare;
        b.lowAccuracyMode = lowAccuracyMode;
        b.quickChars = quickChars;
        b.quickMinConfidence = quickMinConfidence;
        b.functionWordCheck = functionWordCheck;
        b.relevanceMode = relevanceMode;
        b.minKeywords = new LinkedHashMap<>(minKeywords);
        b.minDensity = new LinkedHashMap<>(minDensity);
        b.minEvidence = new LinkedHashMap<>(minEvidence);
        b.quality = quality;
        b.piiMasking = piiMasking;
        b.minIdDigits = minIdDigits;
        return b;
    }

    /** Whether any threshold differs from the lexicons' defaults (then the filter version says so). */
    public boolean hasThresholdOverrides() {
        return !minKeywords.isEmpty() || !minDensity.isEmpty() || !minEvidence.isEmpty();
    }

    private static List<String> normalise(List<String> codes, String what) {
        if (codes == null) {
            throw invalid(what + " must not be null");
        }
        List<String> out = codes.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).filter(c -> !c.isEmpty())
                .distinct().toList();
        for (String code : out) {
            if (!code.matches("[a-z]{2}")) {
                throw invalid(what + ": '" + code + "' is not an ISO 639-1 code");
            }
        }
        return out;
    }

    private static <V> Map<String, V> lowerKeys(Map<String, V> map) {
        Map<String, V> out = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((k, v) -> out.put(k.strip().toLowerCase(Locale.ROOT), v));
        }
        return out;
    }

    private static FilterException invalid(String message) {
        return new FilterException(Reason.INVALID_CONFIGURATION, message);
    }

    /** Builds {@link FilterSettings}; unset values keep their defaults. */
    public static final class Builder {
        private List<String> languages = DEFAULT_LANGUAGES;
        private List<String> otherLanguages = DEFAULT_OTHER_LANGUAGES;
        private int minChars = DEFAULT_MIN_CHARS;
        private int minLetters = DEFAULT_MIN_LETTERS;
        private int detectionMaxChars = DEFAULT_DETECTION_MAX_CHARS;
        private double minLanguageConfidence = DEFAULT_MIN_LANGUAGE_CONFIDENCE;
        private double minKanaShare = DEFAULT_MIN_KANA_SHARE;
        private boolean lowAccuracyMode;
        private int quickChars = DEFAULT_QUICK_CHARS;
        private double quickMinConfidence = DEFAULT_QUICK_MIN_CONFIDENCE;
        private boolean functionWordCheck = true;
        private String relevanceMode = DEFAULT_RELEVANCE_MODE;
        private Map<String, Integer> minKeywords = new LinkedHashMap<>();
        private Map<String, Double> minDensity = new LinkedHashMap<>();
        private Map<String, Double> minEvidence = new LinkedHashMap<>();
        private QualitySettings quality = QualitySettings.defaults();
        private boolean piiMasking = true;
        private int minIdDigits = DEFAULT_MIN_ID_DIGITS;

        private Builder() {
        }

        public Builder languages(List<String> value) {
            languages = value;
            return this;
        }

        public Builder otherLanguages(List<String> value) {
            otherLanguages = value;
            return this;
        }

        public Builder minChars(int value) {
            minChars = value;
            return this;
        }

        public Builder minLetters(int value) {
            minLetters = value;
            return this;
        }

        public Builder detectionMaxChars(int value) {
            detectionMaxChars = value;
            return this;
        }

        public Builder minLanguageConfidence(double value) {
            minLanguageConfidence = value;
            return this;
        }

        public Builder minKanaShare(double value) {
            minKanaShare = value;
            return this;
        }

        public Builder lowAccuracyMode(boolean value) {
            lowAccuracyMode = value;
            return this;
        }

        /** Code points of Lingua's first look (0: none, the whole sample at once). */
        public Builder quickChars(int value) {
            quickChars = value;
            return this;
        }

        public Builder quickMinConfidence(double value) {
            quickMinConfidence = value;
            return this;
        }

        /** Whether clear cases are decided by exclusive function words before Lingua is asked. */
        public Builder functionWordCheck(boolean value) {
            functionWordCheck = value;
            return this;
        }

        public Builder relevanceMode(String value) {
            relevanceMode = value;
            return this;
        }

        /** Overrides one language's minimum distinct-keyword count. */
        public Builder minKeywords(String lang, int value) {
            minKeywords.put(lang, value);
            return this;
        }

        /** lexical-v2: overrides one language's minimum evidence. */
        public Builder minEvidence(String lang, double value) {
            minEvidence.put(lang, value);
            return this;
        }

        public Builder quality(QualitySettings value) {
            quality = value;
            return this;
        }

        /** Switches the quality rules on or off, keeping their thresholds. */
        public Builder qualityEnabled(boolean value) {
            quality = quality.withEnabled(value);
            return this;
        }

        public Builder piiMasking(boolean value) {
            piiMasking = value;
            return this;
        }

        public Builder minIdDigits(int value) {
            minIdDigits = value;
            return this;
        }

        /** Overrides one language's minimum density (of the relevance mode in use). */
        public Builder minDensity(String lang, double value) {
            minDensity.put(lang, value);
            return this;
        }

        public FilterSettings build() {
            return new FilterSettings(languages, otherLanguages, minChars, minLetters, detectionMaxChars,
                    minLanguageConfidence, minKanaShare, lowAccuracyMode, quickChars, quickMinConfidence,
                    functionWordCheck, relevanceMode, minKeywords, minDensity,
                    minEvidence, quality, piiMasking, minIdDigits);
        }
    }
}
