package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.mmedstream.filter.domain.DropReason;
import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.domain.ScoreNames;
import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The filter's decision procedure, as plain Java: the filter service, {@code ./mmed classify} and the benchmark all
 * run exactly this code. For one text it decides, in order:
 * <ol>
 * <li>{@code too_short}: fewer than {@link FilterSettings#minChars()} code points or
 * {@link FilterSettings#minLetters()} letters; no language is guessed;</li>
 * <li>{@code language_unsupported}: not in a configured language ({@link LanguageIdentifier} has the rules);</li>
 * <li>{@code not_medical}: the paper's relevance test (REFERENCE section 1) with that language's lexicon: kept when
 * the number of distinct keywords present reaches the language's minimum and the keyword density (occurrences x
 * keyword length / text length, in code points) reaches its minimum density.</li>
 * </ol>
 * Construction loads the lexicons and the language models (a few seconds, a few hundred MB of heap with the
 * defaults); build one instance and share it: it is immutable and thread-safe.
 */
public final class DocumentFilter {

    private final FilterSettings settings;
    private final String version;
    private final LanguageIdentifier languageIdentifier;
    private final Map<String, Lexicon> lexicons = new LinkedHashMap<>();
    private final Map<String, KeywordMatcher> matchers = new LinkedHashMap<>();
    private final Map<String, RelevanceThresholds> thresholds = new LinkedHashMap<>();

    public DocumentFilter(FilterSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        String mode = settings.relevanceMode();
        Map<String, Set<UnicodeScript>> scripts = new LinkedHashMap<>();
        for (String lang : settings.languages()) {
            Lexicon lexicon = Lexicon.load(mode, lang);
            lexicons.put(lang, lexicon);
            matchers.put(lang, KeywordMatcher.of(lexicon));
            RelevanceThresholds defaults = lexicon.thresholds();
            thresholds.put(lang, new RelevanceThresholds(
                    settings.minKeywords().getOrDefault(lang, defaults.minKeywords()),
                    settings.minDensity().getOrDefault(lang, defaults.minDensity())));
            scripts.put(lang, lexicon.scripts());
        }
        for (String lang : concat(settings.minKeywords().keySet(), settings.minDensity().keySet())) {
            if (!lexicons.containsKey(lang)) {
                throw new FilterException(Reason.INVALID_CONFIGURATION,
                        "a threshold is set for language '" + lang + "', which is not configured");
            }
        }
        this.version = mode + "-" + Lexicon.setVersion(mode) + (settings.hasThresholdOverrides() ? "+custom" : "");
        this.languageIdentifier = new LanguageIdentifier(settings, scripts);
    }

    /** A filter with {@link FilterSettings#defaults()}. */
    public static DocumentFilter withDefaults() {
        return new DocumentFilter(FilterSettings.defaults());
    }

    /**
     * Decides on one document.
     *
     * @param text         the document's (normalised) text
     * @param declaredLang the language the submitter declared (ISO 639-1, may carry a region such as "en-GB"), or
     *                     null; it only settles an ambiguous detection, never overrides a clear one
     * @return the verdict, with the scores it was made on
     */
    public FilterVerdict classify(String text, String declaredLang) {
        Objects.requireNonNull(text, "text");
        int chars = 0;
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            chars++;
            if (Character.isLetter(cp)) {
                letters++;
            }
        }
        if (chars < settings.minChars() || letters < settings.minLetters()) {
            return FilterVerdict.drop(DropReason.TOO_SHORT, null,
                    Map.of(ScoreNames.CHAR_COUNT, (double) chars, ScoreNames.LETTER_COUNT, (double) letters));
        }
        LanguageIdentifier.Guess guess = languageIdentifier.identify(text, primaryLanguage(declaredLang));
        Map<String, Double> scores = new LinkedHashMap<>();
        if (!Double.isNaN(guess.confidence())) {
            scores.put(ScoreNames.LANG_CONFIDENCE, guess.confidence());
        }
        if (guess.declaredUsed()) {
            scores.put(ScoreNames.DECLARED_LANG_USED, 1.0);
        }
        if (!guess.supported()) {
            scores.put(ScoreNames.SUPPORTED_SCRIPT_SHARE, guess.supportedScriptShare());
            return FilterVerdict.drop(DropReason.LANGUAGE_UNSUPPORTED, FilterVerdict.OTHER_LANGUAGE, scores);
        }
        String lang = guess.lang();
        KeywordScore keywords = matchers.get(lang).score(text);
        scores.put(ScoreNames.KEYWORD_COUNT, (double) keywords.distinctKeywords());
        scores.put(ScoreNames.KEYWORD_DENSITY, keywords.density());
        return thresholds.get(lang).passes(keywords)
                ? FilterVerdict.accept(lang, scores)
                : FilterVerdict.drop(DropReason.NOT_MEDICAL, lang, scores);
    }

    /**
     * The keywords of a configured language's lexicon found in a text, whatever its language: for diagnostics and
     * reports ({@code ./mmed classify}, {@code ./mmed filter-report}).
     */
    public KeywordScore keywordScore(String lang, String text) {
        KeywordMatcher matcher = matchers.get(lang);
        if (matcher == null) {
            throw new IllegalArgumentException("language '" + lang + "' is not configured: " + languages());
        }
        return matcher.score(text);
    }

    /**
     * Version of the rules that decide, carried by every decision event as {@code filter_version}: the relevance
     * mode and its lexicon set's version, e.g. {@code mmedc-1}; {@code +custom} is appended when a threshold was
     * configured away from the lexicons' defaults.
     */
    public String version() {
        return version;
    }

    /** The configured languages, in configuration order. */
    public List<String> languages() {
        return List.copyOf(lexicons.keySet());
    }

    /** The thresholds in force for a configured language. */
    public RelevanceThresholds thresholds(String lang) {
        RelevanceThresholds t = thresholds.get(lang);
        if (t == null) {
            throw new IllegalArgumentException("language '" + lang + "' is not configured: " + languages());
        }
        return t;
    }

    /** The lexicon of a configured language. */
    public Lexicon lexicon(String lang) {
        Lexicon l = lexicons.get(lang);
        if (l == null) {
            throw new IllegalArgumentException("language '" + lang + "' is not configured: " + languages());
        }
        return l;
    }

    public FilterSettings settings() {
        return settings;
    }

    /** "en-GB" -> "en"; null or blank -> null. */
    private static String primaryLanguage(String declared) {
        if (declared == null || declared.isBlank()) {
            return null;
        }
        String code = declared.strip().toLowerCase(Locale.ROOT);
        int sep = code.indexOf('-') >= 0 ? code.indexOf('-') : code.indexOf('_');
        return sep > 0 ? code.substring(0, sep) : code;
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public String toString() {
        return "DocumentFilter[" + version + ", languages=" + languages() + ", thresholds=" + thresholds + "]";
    }
}
