package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * Tells which configured language a text is written in, or that it is in none of them ("other"). Reads only the
 * first {@link FilterSettings#detectionMaxChars()} code points. The rules, in order:
 * <ol>
 * <li><b>Script.</b> The sample's letters are counted per script, CJK ideographs and kana counted together as one
 * writing system. The script holding most letters is the text's script; when no configured language is written in
 * it (Arabic, Hangul, Greek with the defaults), the text is "other". Letters of the other scripts are ignored from
 * here on, so a Russian leaflet citing Latin drug names is judged on its Cyrillic, and an English text quoting
 * Chinese on its Latin.</li>
 * <li><b>Chinese or Japanese.</b> For CJK text, Japanese when kana make up at least
 * {@link FilterSettings#minKanaShare()} of its CJK letters (Japanese prose is far above that), else Chinese. Lingua
 * alone calls any text with a single kana Japanese, which misroutes Chinese web text that borrows "の".</li>
 * <li><b>Other scripts: Lingua.</b> The detector knows the configured languages and the
 * {@link FilterSettings#otherLanguages()}; when one of those other languages wins, the text is "other". The margin
 * between the best and second-best relative confidence is the {@code lang_confidence}; under
 * {@link FilterSettings#minLanguageConfidence()} the text is ambiguous: the submitter's declared language settles it
 * when it is one of the two front runners, otherwise the text is "other".</li>
 * <li><b>Function words first.</b> Before Lingua, {@link FunctionWords}: a sample whose words are, to a large
 * share, function words that only one candidate language has is in that language (most English and French text;
 * {@link FilterSettings#functionWordCheck()}).</li>
 * <li><b>First look.</b> Lingua's time grows with the text it reads, so it first reads about
 * {@link FilterSettings#quickChars()} characters: every k-th word of the sample ({@link #glance}), spread over all
 * of it so that code-mixed text shows its mix; a margin of at least {@link FilterSettings#quickMinConfidence()} (and
 * {@link FilterSettings#minLanguageConfidence()}) between two ranked languages decides there (not a decision of
 * Lingua's character rules, which on a few words can fire where on the whole sample they would not). Otherwise the
 * whole sample is read as above.
 * Lingua's margin compares two languages' n-gram log-likelihoods per n-gram, so a clear margin on a third of the
 * words rarely changes on all of them (measured: never on the dev file and the bench corpus at 0.06).</li>
 * </ol>
 * Thread-safe (Lingua's detector is).
 */
final class LanguageIdentifier {

    /**
     * The outcome.
     *
     * @param lang                 a configured language, or {@code null} for "other"
     * @param confidence           the lang_confidence (1 where the script leaves one candidate); NaN when Lingua was
     *                             not asked
     * @param supportedScriptShare share of the sample's letters in scripts of configured languages
     * @param declaredUsed         whether the declared language settled an ambiguous detection
     * @param functionWordShare    when function words decided: the share of the sample's words that are function
     *                             words of that language alone; NaN otherwise
     */
    record Guess(String lang, double confidence, double supportedScriptShare, boolean declaredUsed,
            double functionWordShare) {
        Guess(String lang, double confidence, double supportedScriptShare, boolean declaredUsed) {
            this(lang, confidence, supportedScriptShare, declaredUsed, Double.NaN);
        }

        boolean supported() {
            return lang != null;
        }
    }

    private static final String CHINESE = "zh";
    private static final String JAPANESE = "ja";

    private final FilterSettings settings;
    private final Set<UnicodeScript> supportedScripts = EnumSet.noneOf(UnicodeScript.class);
    private final Map<Language, String> kept = new HashMap<>(); // Lingua language -> configured code
    private final LanguageDetector detector; // null when at most one language needs Lingua
    private final String onlyLinguaLanguage; // the configured language when it is Lingua's only candidate
    private final double quickMinConfidence; // margin that decides on the first look
    private final FunctionWords functionWords; // null when off or when a candidate has no list

    LanguageIdentifier(FilterSettings settings, Map<String, Set<UnicodeScript>> scriptsByLanguage) {
        this.settings = settings;
        this.quickMinConfidence = Math.max(settings.quickMinConfidence(), settings.minLanguageConfidence());
        for (String lang : settings.languages()) {
            Set<UnicodeScript> scripts = scriptsByLanguage.get(lang);
            if (scripts == null) {
                throw new FilterException(Reason.INVALID_CONFIGURATION, "no scripts known for language " + lang);
            }
            scripts.forEach(s -> supportedScripts.add(writingSystem(s)));
        }
        List<Language> linguaLanguages = new ArrayList<>();
        for (String lang : settings.languages()) {
            if (!lang.equals(CHINESE) && !lang.equals(JAPANESE)) {
                Language language = lingua(lang);
                kept.put(language, lang);
                linguaLanguages.add(language);
            }
        }
        for (String lang : settings.otherLanguages()) {
            linguaLanguages.add(lingua(lang));
        }
        List<String> candidates = new ArrayList<>(kept.values());
        candidates.addAll(settings.otherLanguages());
        functionWords = settings.functionWordCheck() ? FunctionWords.forCandidates(candidates) : null;
        if (linguaLanguages.size() >= 2) {
            LanguageDetectorBuilder builder = LanguageDetectorBuilder
                    .fromLanguages(linguaLanguages.toArray(Language[]::new))
                    .withPreloadedLanguageModels();
            if (settings.lowAccuracyMode()) {
                builder = builder.withLowAccuracyMode();
            }
            detector = builder.build();
            onlyLinguaLanguage = null;
        } else {
            detector = null;
            onlyLinguaLanguage = kept.isEmpty() ? null : kept.values().iterator().next();
        }
    }

    Guess identify(String text, String declaredLang) {
        int sampleEnd = sampleEnd(text, settings.detectionMaxChars());
        Map<UnicodeScript, Integer> letters = new EnumMap<>(UnicodeScript.class);
        int kana = 0;
        int total = 0;
        for (int i = 0; i < sampleEnd; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            UnicodeScript script = letterScript(cp);
            if (script != null) {
                letters.merge(writingSystem(script), 1, Integer::sum);
                total++;
                if (script == UnicodeScript.HIRAGANA || script == UnicodeScript.KATAKANA) {
                    kana++;
                }
            }
        }
        if (total == 0) {
            return new Guess(null, Double.NaN, 0.0, false);
        }
        UnicodeScript dominant = null;
        int dominantCount = -1;
        int supported = 0;
        for (Map.Entry<UnicodeScript, Integer> e : letters.entrySet()) {
            if (e.getValue() > dominantCount) {
                dominant = e.getKey();
                dominantCount = e.getValue();
            }
            if (supportedScripts.contains(e.getKey())) {
                supported += e.getValue();
            }
        }
        double supportedShare = (double) supported / total;
        if (!supportedScripts.contains(dominant)) {
            return new Guess(null, Double.NaN, supportedShare, false);
        }
        if (dominant == UnicodeScript.HAN) {
            String lang = (double) kana / dominantCount >= settings.minKanaShare() ? JAPANESE : CHINESE;
            return new Guess(settings.languages().contains(lang) ? lang : null, 1.0, supportedShare, false);
        }
        if (detector == null) {
            return new Guess(onlyLinguaLanguage, 1.0, supportedShare, false);
        }
        String sample = onlyScript(text, sampleEnd, dominant);
        if (functionWords != null) {
            FunctionWords.Decision d = functionWords.decide(sample);
            if (d != null && kept.containsValue(d.lang())) { // a text in an other language is left to Lingua
                return new Guess(d.lang(), d.margin(), supportedShare, false, d.share());
            }
        }
        String glance = glance(sample, settings.quickChars());
        if (glance != null) {
            Ranking first = rank(glance);
            // Only a margin between two ranked languages: a single language means Lingua's character rules
            // decided, and on a few words they can fire where on the whole sample they would not.
            if (first.second() != null && first.margin() >= quickMinConfidence) {
                return new Guess(kept.get(first.best()), first.margin(), supportedShare, false);
            }
        }
        return decide(rank(sample), declaredLang, supportedShare);
    }

    /**
     * The first look: every k-th word of the sample, k chosen so that about {@code chars} characters remain, or null
     * when the sample is not at least twice that long. Words spread over the whole sample, not its start, so that
     * in code-mixed text the first look sees the languages in their proportions (and its margin shrinks) rather than
     * the language the text happens to start with; Lingua's n-grams lie within words, so whole words keep them.
     */
    static String glance(String sample, int chars) {
        if (chars <= 0 || sample.length() < 2 * chars) {
            return null;
        }
        int stride = (sample.length() + chars - 1) / chars;
        StringBuilder out = new StringBuilder(chars + 32);
        int word = 0;
        int i = 0;
        int n = sample.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(sample.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(sample.charAt(i))) {
                i++;
            }
            if (start < i && word++ % stride == 0) {
                out.append(sample, start, i).append(' ');
            }
        }
        return out.toString();
    }

    /** Lingua's two front runners on a sample and the margin between them; best is null when it knows no letter. */
    private record Ranking(Language best, Language second, double margin) {
    }

    private Ranking rank(String sample) {
        Language best = null;
        Language second = null;
        double bestValue = 0.0;
        double secondValue = 0.0;
        for (Map.Entry<Language, Double> e : detector.computeLanguageConfidenceValues(sample).entrySet()) {
            double v = e.getValue();
            if (best == null || v > bestValue) {
                second = best;
                secondValue = bestValue;
                best = e.getKey();
                bestValue = v;
            } else if (second == null || v > secondValue) {
                second = e.getKey();
                secondValue = v;
            }
        }
        return new Ranking(best, second, best == null ? 0.0 : second == null ? 1.0 : bestValue - secondValue);
    }

    private Guess decide(Ranking r, String declaredLang, double supportedShare) {
        if (r.best() == null) { // no letter Lingua knows
            return new Guess(null, 0.0, supportedShare, false);
        }
        String bestCode = kept.get(r.best());
        if (r.margin() >= settings.minLanguageConfidence()) {
            return new Guess(bestCode, r.margin(), supportedShare, false);
        }
        if (declaredLang != null && (declaredLang.equals(bestCode)
                || (r.second() != null && declaredLang.equals(kept.get(r.second()))))) {
            return new Guess(declaredLang, r.margin(), supportedShare, true);
        }
        return new Guess(null, r.margin(), supportedShare, false);
    }

    /** The script of a letter, or null for non-letters and letters shared by all scripts (COMMON, INHERITED). */
    private static UnicodeScript letterScript(int cp) {
        if (!Character.isLetter(cp)) {
            return null;
        }
        UnicodeScript script = UnicodeScript.of(cp);
        return script == UnicodeScript.COMMON || script == UnicodeScript.INHERITED
                || script == UnicodeScript.UNKNOWN ? null : script;
    }

    /** Scripts written together count as one writing system: CJK ideographs, kana and bopomofo as HAN. */
    static UnicodeScript writingSystem(UnicodeScript script) {
        return switch (script) {
            case HIRAGANA, KATAKANA, BOPOMOFO -> UnicodeScript.HAN;
            default -> script;
        };
    }

    /** The sample with letters of every other writing system blanked out. */
    private static String onlyScript(String text, int end, UnicodeScript keep) {
        StringBuilder out = new StringBuilder(end);
        for (int i = 0; i < end; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            UnicodeScript script = letterScript(cp);
            if (script != null && writingSystem(script) != keep) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** UTF-16 index just after the first {@code maxCodePoints} code points. */
    private static int sampleEnd(String text, int maxCodePoints) {
        if (text.length() <= maxCodePoints) {
            return text.length();
        }
        int i = 0;
        for (int n = 0; n < maxCodePoints && i < text.length(); n++) {
            i += Character.charCount(text.codePointAt(i));
        }
        return i;
    }

    private static Language lingua(String isoCode) {
        for (Language language : Language.values()) {
            if (language != Language.UNKNOWN && language.getIsoCode639_1().toString().equals(isoCode)) {
                return language;
            }
        }
        throw new FilterException(Reason.INVALID_CONFIGURATION,
                "language '" + isoCode + "' is not one the language detector (Lingua) knows");
    }
}
