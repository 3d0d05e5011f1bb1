package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import io.mmedstream.filter.domain.DropReason;
import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.domain.ScoreNames;
import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The filter's decision procedure, as plain Java: the filter service, {@code ./mmed classify}, the filter report and
 * the benchmarks all run exactly this code. For one text it decides, in order:
 * <ol>
 * <li>{@code too_short}: fewer than {@link FilterSettings#minChars()} code points or
 * {@link FilterSettings#minLetters()} letters; no language is guessed;</li>
 * <li>{@code language_unsupported}: not in a configured language ({@link LanguageIdentifier} has the rules);</li>
 * <li>quality ({@link QualityRules}, when enabled): every rule the text breaks adds its {@code quality_*} code;</li>
 * <li>{@code not_medical}: the relevance mode's test for the language ({@link WeightedRelevance} for
 * {@code lexical-v2}, {@link MmedcRelevance} for the paper's {@code mmedc}); evaluated even when a quality rule
 * failed, so that a verdict names every reason (the deciding one first);</li>
 * <li>accepted documents have personal data masked ({@link PiiMasker}, when enabled), counted in {@code pii_*}
 * scores; {@link FilterVerdict#text()} is the text to publish.</li>
 * </ol>
 * Construction loads the lexicons, quality profiles and language models (a few seconds, a few hundred MB of heap
 * with the defaults); build one instance and share it: it is immutable and thread-safe.
 */
public final class DocumentFilter {

    /** Version of the quality rules; part of {@link #version()} when they are on. */
    public static final String QUALITY_VERSION = "1";
    /** Version of the PII masking rules; part of {@link #version()} when masking is on. */
    public static final String PII_VERSION = "1";

    private final FilterSettings settings;
    private final String version;
    private final String method;
    private final LanguageIdentifier languageIdentifier;
    private final Map<String, RelevanceTest> relevance = new LinkedHashMap<>();
    private final Map<String, QualityRules> quality = new LinkedHashMap<>();
    private final PiiMasker piiMasker;

    public DocumentFilter(FilterSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        String mode = settings.relevanceMode();
        Properties set = Resources.requiredProperties(Lexicon.RESOURCE_ROOT + "/" + mode + "/set.properties",
                "unknown relevance mode '" + mode + "'");
        String setVersion = set.getProperty("version", "").strip();
        if (setVersion.isEmpty()) {
            throw new FilterException(Reason.INVALID_CONFIGURATION, "lexicon set " + mode + " has no version");
        }
        this.method = set.getProperty("method", "keyword-count").strip();
        for (String lang : concat(concat(settings.minKeywords().keySet(), settings.minDensity().keySet()),
                settings.minEvidence().keySet())) {
            if (!settings.languages().contains(lang)) {
                throw new FilterException(Reason.INVALID_CONFIGURATION,
                        "a threshold is set for language '" + lang + "', which is not configured");
            }
        }
        Map<String, Set<UnicodeScript>> scripts = new LinkedHashMap<>();
        ClinicalPatterns patterns = method.equals("weighted-terms") ? ClinicalPatterns.load(mode) : null;
        for (String lang : settings.languages()) {
            RelevanceTest test = switch (method) {
                case "keyword-count" -> mmedc(mode, lang);
                case "weighted-terms" -> weighted(mode, lang, patterns);
                default -> throw new FilterException(Reason.INVALID_CONFIGURATION,
                        "lexicon set " + mode + " names an unknown method '" + method + "'");
            };
            relevance.put(lang, test);
            scripts.put(lang, test.scripts());
            if (settings.quality().enabled()) {
                quality.put(lang, new QualityRules(settings.quality(), QualityProfile.load(lang)));
            }
        }
        this.piiMasker = settings.piiMasking() ? new PiiMasker(settings.minIdDigits()) : null;
        boolean custom = settings.hasThresholdOverrides()
                || (settings.quality().enabled() && !settings.quality().equals(QualitySettings.defaults()))
                || settings.minIdDigits() != FilterSettings.DEFAULT_MIN_ID_DIGITS;
        this.version = mode + "-" + setVersion
                + (settings.quality().enabled() ? "+q" + QUALITY_VERSION : "")
                + (settings.piiMasking() ? "+pii" + PII_VERSION : "")
                + (custom ? "+custom" : "");
        this.languageIdentifier = new LanguageIdentifier(settings, scripts);
    }

    private RelevanceTest mmedc(String mode, String lang) {
        if (settings.minEvidence().containsKey(lang)) {
            throw new FilterException(Reason.INVALID_CONFIGURATION, "min-evidence is a lexical-v2 threshold; mode "
                    + mode + " uses min-keywords and min-density");
        }
        Lexicon lexicon = Lexicon.load(mode, lang);
        RelevanceThresholds defaults = lexicon.thresholds();
        return new MmedcRelevance(lexicon, new RelevanceThresholds(
                settings.minKeywords().getOrDefault(lang, defaults.minKeywords()),
                settings.minDensity().getOrDefault(lang, defaults.minDensity())));
    }

    private RelevanceTest weighted(String mode, String lang, ClinicalPatterns patterns) {
        if (settings.minKeywords().containsKey(lang)) {
            throw new FilterException(Reason.INVALID_CONFIGURATION, "min-keywords is an mmedc threshold; mode "
                    + mode + " uses min-evidence and min-density");
        }
        TermLexicon lexicon = TermLexicon.load(mode, lang);
        return new WeightedRelevance(lexicon, patterns,
                settings.minEvidence().getOrDefault(lang, lexicon.minEvidence()),
                settings.minDensity().getOrDefault(lang, lexicon.minDensity()));
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
     * @return the verdict, with the scores it was made on and the text to publish
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
                    Map.of(ScoreNames.CHAR_COUNT, (double) chars, ScoreNames.LETTER_COUNT, (double) letters), text);
        }
        LanguageIdentifier.Guess guess = languageIdentifier.identify(text, primaryLanguage(declaredLang));
        Map<String, Double> scores = new LinkedHashMap<>();
        if (!Double.isNaN(guess.confidence())) {
            scores.put(ScoreNames.LANG_CONFIDENCE, guess.confidence());
        }
        if (!Double.isNaN(guess.functionWordShare())) {
            scores.put(ScoreNames.LANG_FUNCTION_WORDS, guess.functionWordShare());
        }
        if (guess.declaredUsed()) {
            scores.put(ScoreNames.DECLARED_LANG_USED, 1.0);
        }
        if (!guess.supported()) {
            scores.put(ScoreNames.SUPPORTED_SCRIPT_SHARE, guess.supportedScriptShare());
            return FilterVerdict.drop(DropReason.LANGUAGE_UNSUPPORTED, FilterVerdict.OTHER_LANGUAGE, scores, text);
        }
        String lang = guess.lang();
        List<String> reasons = new ArrayList<>(2);
        QualityRules rules = quality.get(lang);
        if (rules != null) {
            QualityReport report = rules.evaluate(text);
            scores.putAll(report.metrics());
            reasons.addAll(report.failed());
        }
        if (!relevance.get(lang).test(text, scores)) {
            reasons.add(DropReason.NOT_MEDICAL.code());
        }
        if (!reasons.isEmpty()) {
            return FilterVerdict.drop(reasons, lang, scores, text);
        }
        String published = text;
        if (piiMasker != null) {
            PiiMasker.Result masked = piiMasker.mask(text);
            scores.put(ScoreNames.PII_EMAIL, (double) masked.emails());
            scores.put(ScoreNames.PII_PHONE, (double) masked.phones());
            scores.put(ScoreNames.PII_IP, (double) masked.ips());
            scores.put(ScoreNames.PII_ID, (double) masked.ids());
            published = masked.text();
        }
        return FilterVerdict.accept(lang, scores, published);
    }

    // -------------------------------------------------------------------------------------------------------------
    // The stages on their own, for diagnostics, reports and the per-stage benchmark.

    /**
     * Language identification alone: a configured language, {@link FilterVerdict#OTHER_LANGUAGE}, or null when the
     * text is too short to tell.
     */
    public String identifyLanguage(String text, String declaredLang) {
        int chars = text.codePointCount(0, text.length());
        long letters = text.codePoints().filter(Character::isLetter).count();
        if (chars < settings.minChars() || letters < settings.minLetters()) {
            return null;
        }
        LanguageIdentifier.Guess guess = languageIdentifier.identify(text, primaryLanguage(declaredLang));
        return guess.supported() ? guess.lang() : FilterVerdict.OTHER_LANGUAGE;
    }

    /** The relevance test alone, for a configured language; its figures go into {@code scores}. */
    public boolean isMedical(String lang, String text, Map<String, Double> scores) {
        return relevanceTest(lang).test(text, scores);
    }

    /** The quality rules alone, for a configured language (they run even when disabled for decisions). */
    public QualityReport quality(String lang, String text) {
        QualityRules rules = quality.get(lang);
        if (rules == null) {
            relevanceTest(lang); // fails for an unknown language
            rules = new QualityRules(settings.quality(), QualityProfile.load(lang));
        }
        return rules.evaluate(text);
    }

    /** PII masking alone (with the configured settings, even when disabled for decisions). */
    public PiiMasker.Result maskPii(String text) {
        return (piiMasker != null ? piiMasker : new PiiMasker(settings.minIdDigits())).mask(text);
    }

    /**
     * mmedc mode only: the keywords of a configured language's lexicon found in a text, whatever its language (for
     * diagnostics).
     */
    public KeywordScore keywordScore(String lang, String text) {
        return mmedcTest(lang).score(text);
    }

    /**
     * Version of the rules that decide, carried by every decision event as {@code filter_version}: the relevance
     * mode and its lexicon set's version, then {@code +q<n>} when the quality rules are on and {@code +pii<n>} when
     * PII masking is on, then {@code +custom} when a threshold was configured away from its default; e.g.
     * {@code lexical-v2-1+q1+pii1}.
     */
    public String version() {
        return version;
    }

    /** The relevance mode (lexicon set) in use. */
    public String mode() {
        return settings.relevanceMode();
    }

    /** The configured languages, in configuration order. */
    public List<String> languages() {
        return List.copyOf(relevance.keySet());
    }

    /** The relevance thresholds in force for a configured language, e.g. {@code 5/0.04}. */
    public String thresholdSummary(String lang) {
        return relevanceTest(lang).thresholdSummary();
    }

    /** mmedc mode only: the thresholds in force for a configured language. */
    public RelevanceThresholds thresholds(String lang) {
        return mmedcTest(lang).thresholds();
    }

    /** mmedc mode only: the lexicon of a configured language. */
    public Lexicon lexicon(String lang) {
        return mmedcTest(lang).lexicon();
    }

    /** lexical-v2 mode only: the term list of a configured language. */
    public TermLexicon termLexicon(String lang) {
        if (!(relevanceTest(lang) instanceof WeightedRelevance w)) {
            throw new IllegalStateException("mode " + mode() + " has no weighted term lists");
        }
        return w.lexicon();
    }

    public FilterSettings settings() {
        return settings;
    }

    RelevanceTest relevanceTest(String lang) {
        RelevanceTest t = relevance.get(lang);
        if (t == null) {
            throw new IllegalArgumentException("language '" + lang + "' is not configured: " + languages());
        }
        return t;
    }

    private MmedcRelevance mmedcTest(String lang) {
        if (!(relevanceTest(lang) instanceof MmedcRelevance m)) {
            throw new IllegalStateException("mode " + mode() + " is not a keyword-count (mmedc) mode");
        }
        return m;
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
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public String toString() {
        StringBuilder t = new StringBuilder();
        relevance.forEach((lang, test) -> t.append(t.isEmpty() ? "" : ", ").append(lang).append(' ')
                .append(test.thresholdSummary()));
        return "DocumentFilter[" + version + ", languages=" + languages() + ", thresholds={" + t + "}]";
    }
}
