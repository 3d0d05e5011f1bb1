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
     */
    record Guess(String lang, double confidence, double supportedScriptShare, boolean declaredUsed) {
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

    LanguageIdentifier(FilterSettings settings, Map<String, Set<UnicodeScript>> scriptsByLanguage) {
        this.settings = settings;
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
        return detect(onlyScript(text, sampleEnd, dominant), declaredLang, supportedShare);
    }

    private Guess detect(String sample, String declaredLang, double supportedShare) {
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
        if (best == null) { // no letter Lingua knows
            return new Guess(null, 0.0, supportedShare, false);
        }
        double margin = second == null ? 1.0 : bestValue - secondValue;
        String bestCode = kept.get(best);
        if (margin >= settings.minLanguageConfidence()) {
            return new Guess(bestCode, margin, supportedShare, false);
        }
        if (declaredLang != null && (declaredLang.equals(bestCode)
                || (second != null && declaredLang.equals(kept.get(second))))) {
            return new Guess(declaredLang, margin, supportedShare, true);
        }
        return new Guess(null, margin, supportedShare, false);
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
