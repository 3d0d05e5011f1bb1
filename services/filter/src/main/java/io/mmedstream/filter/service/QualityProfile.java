package io.mmedstream.filter.service;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * What the quality rules need to know about a language, from {@code quality/<lang>.properties} (plus the phrases of
 * {@code quality/common.properties} that hold for every language):
 * <ul>
 * <li>{@code unit}: {@code word} (written with spaces) or {@code char} (Chinese, Japanese: rules count letters and
 * character n-grams);</li>
 * <li>{@code stopwords}: comma-separated function words (single characters for {@code char} languages); a text needs
 * a few of them to read as prose (Gopher's stop-word rule);</li>
 * <li>{@code boilerplate}: {@code |}-separated lower-case phrases that mark a short line as page furniture (cookie
 * banners, sign-in prompts, copyright and sharing lines).</li>
 * </ul>
 *
 * @param lang        ISO 639-1 code
 * @param characters  whether rules count characters instead of words
 * @param stopwords   the function words, lower case
 * @param boilerplate the phrases, lower case (common ones included)
 */
record QualityProfile(String lang, boolean characters, Set<String> stopwords, List<String> boilerplate) {

    static final String RESOURCE_ROOT = "quality";

    QualityProfile {
        stopwords = Set.copyOf(stopwords);
        boilerplate = List.copyOf(boilerplate);
    }

    static QualityProfile load(String lang) {
        Properties props = Resources.requiredProperties(RESOURCE_ROOT + "/" + lang + ".properties",
                "no quality profile for language '" + lang + "'");
        Properties common = Resources.properties(RESOURCE_ROOT + "/common.properties");
        String unit = props.getProperty("unit", "word").strip();
        if (!unit.equals("word") && !unit.equals("char")) {
            throw TermLexicon.invalid("quality/" + lang + ".properties: unit must be word or char");
        }
        Set<String> stopwords = new LinkedHashSet<>();
        for (String w : props.getProperty("stopwords", "").split(",")) {
            if (!w.isBlank()) {
                stopwords.add(w.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (stopwords.isEmpty()) {
            throw TermLexicon.invalid("quality/" + lang + ".properties: no stopwords");
        }
        List<String> phrases = new ArrayList<>();
        addPhrases(phrases, props.getProperty("boilerplate", ""));
        if (common != null) {
            addPhrases(phrases, common.getProperty("boilerplate", ""));
        }
        return new QualityProfile(lang, unit.equals("char"), stopwords, phrases);
    }

    private static void addPhrases(List<String> into, String list) {
        for (String p : list.split("\\|")) {
            if (!p.isBlank()) {
                into.add(p.strip().toLowerCase(Locale.ROOT));
            }
        }
    }
}
