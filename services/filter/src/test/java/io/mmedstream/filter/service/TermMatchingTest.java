package io.mmedstream.filter.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.Character.UnicodeScript;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mmedstream.filter.service.TermLexicon.Matching;
import io.mmedstream.filter.service.TermLexicon.Term;

/** Stem-aware matching (Lucene analysis) and CJK substring matching of lexical-v2 term lists, on terms we write. */
class TermMatchingTest {

    private static TermLexicon stems(String lang, String analyzer, String... terms) {
        return new TermLexicon("t", lang, Matching.STEM, analyzer, Set.of(UnicodeScript.LATIN), 1, 0, null, 0,
                Arrays.stream(terms).map(t -> new Term(t, 1.0)).toList());
    }

    private static TermLexicon substrings(String... terms) {
        return new TermLexicon("t", "zh", Matching.SUBSTRING, null, Set.of(UnicodeScript.HAN), 1, 0, null, 0,
                Arrays.stream(terms).map(t -> new Term(t, 1.0)).toList());
    }

    private static Map<String, Integer> found(TermLexicon lexicon, String text) {
        return new WeightedRelevance(lexicon, new ClinicalPatterns(List.of()), 1, 0).termsFound(text);
    }

    @Test
    void cachedStemsCountExactlyAsTheWholeChainOnEveryDefaultList() {
        for (String lang : List.of("en", "fr", "es", "ru")) {
            StemTermMatcher matcher = new StemTermMatcher(TermLexicon.load("lexical-v2", lang));
            for (String text : List.of(Samples.EN_MEDICAL, Samples.FR_MEDICAL, Samples.ES_MEDICAL,
                    Samples.RU_MEDICAL, Samples.EN_NEWS, Samples.RU_NEWS + " Ёлка, ёж и её сын; L'hôpital's.")) {
                int[] whole = new int[matcher.termCount()];
                int[] cold = new int[matcher.termCount()];
                int[] warm = new int[matcher.termCount()];

                int units = matcher.countAnalysingWhole(text, whole);

                assertThat(matcher.count(text, cold)).isEqualTo(units); // words first met
                assertThat(matcher.count(text, warm)).isEqualTo(units); // words from the cache
                assertThat(cold).as("%s on %s", lang, text).containsExactly(whole);
                assertThat(warm).containsExactly(whole);
            }
        }
    }

    @Test
    void russianCaseAndNumberFormsMatchTheBaseForm() {
        TermLexicon ru = stems("ru", "russian", "пневмония", "почечная недостаточность", "антибиотик", "лёгкое");

        Map<String, Integer> hits = found(ru, "Пневмонией страдал давно; при почечной недостаточности антибиотиками"
                + " лечили осторожно, рентген лёгких и легких без изменений.");

        assertThat(hits).containsEntry("пневмония", 1).containsEntry("почечная недостаточность", 1)
                .containsEntry("антибиотик", 1).containsEntry("лёгкое", 2); // ё and е read alike
    }

    @Test
    void frenchPluralFeminineAndElidedFormsMatch() {
        TermLexicon fr = stems("fr", "french", "hypertension artérielle", "douleur abdominale", "hôpital",
                "infection urinaire");

        Map<String, Integer> hits = found(fr, "Hypertensions artérielles traitées; douleurs abdominales à "
                + "l'hôpital et aux hôpitaux; infections urinaires récidivantes.");

        assertThat(hits).containsEntry("hypertension artérielle", 1).containsEntry("douleur abdominale", 1)
                .containsEntry("hôpital", 2).containsEntry("infection urinaire", 1);
    }

    @Test
    void spanishPluralAndGenderFormsMatchAlsoWithoutAccents() {
        TermLexicon es = stems("es", "spanish", "insuficiencia renal", "diagnóstico", "fármaco antiinflamatorio");

        Map<String, Integer> hits = found(es, "Insuficiencias renales crónicas; diagnosticos previos y un diagnóstico;"
                + " fármacos antiinflamatorios.");

        assertThat(hits).containsEntry("insuficiencia renal", 1).containsEntry("diagnóstico", 2)
                .containsEntry("fármaco antiinflamatorio", 1);
    }

    @Test
    void englishInflectionsMatchButUnrelatedWordsDoNot() {
        TermLexicon en = stems("en", "english", "fracture", "admit", "pain");

        Map<String, Integer> hits = found(en, "Fractures were treated; the patient's pains; she was admitted. "
                + "A painting of the Pain river.");

        assertThat(hits).containsEntry("fracture", 1).containsEntry("admit", 1).containsEntry("pain", 2);
    }

    @Test
    void longestTermWinsAndMultiWordTermsNeedOnlySpacesOrHyphensBetween() {
        TermLexicon en = stems("en", "english", "heart", "heart failure", "x-ray");

        Map<String, Integer> hits = found(en, "Heart failure, then x ray and X-ray. Heart. Failure alone.");

        assertThat(hits).containsEntry("heart failure", 1).containsEntry("heart", 1).containsEntry("x-ray", 2);
    }

    @Test
    void termsWithTheSameStemsAreRejectedTogether() {
        assertThatThrownBy(() -> TermMatcher.of(stems("en", "english", "vaccine", "vaccination", "fever",
                "fevers"))).isInstanceOf(FilterException.class)
                .hasMessageContaining("'vaccine' = 'vaccination'").hasMessageContaining("'fever' = 'fevers'");
    }

    @Test
    void suffixTermsCatchDrugNamesTheListDoesNotName() {
        TermLexicon en = new TermLexicon("t", "en", Matching.STEM, "english", Set.of(UnicodeScript.LATIN), 1, 0,
                null, 0, List.of(new Term("-mycin", 1.5), new Term("-pril", 1.5)));

        Map<String, Integer> hits = found(en, "Azithromycin and clarithromycin, then ramipril from April on.");

        assertThat(hits).containsEntry("-mycin", 2).containsEntry("-pril", 1); // "april" is too short a word
    }

    @Test
    void chineseTermsAreFoundAsLongestSubstringsWithoutSpaces() {
        TermLexicon zh = substrings("糖尿病", "尿", "高血压", "血压", "肺炎");
        int[] counts = new int[5];

        int units = TermMatcher.of(zh).count("患者有糖尿病和高血压，血压控制差，诊断为肺炎。", counts);

        assertThat(counts).containsExactly(1, 0, 1, 1, 1); // "尿" is inside "糖尿病", "血压" inside "高血压" once
        assertThat(units).isEqualTo(20); // letters only: punctuation does not dilute the density
    }

    @Test
    void japaneseTermsMatchInKanjiAndKatakana() {
        TermLexicon ja = new TermLexicon("t", "ja", Matching.SUBSTRING, null, Set.of(UnicodeScript.HAN), 1, 0, null,
                0, List.of(new Term("肺炎", 1), new Term("インスリン", 1), new Term("既往歴", 1)));

        Map<String, Integer> hits = found(ja, "既往歴に糖尿病があり、インスリンを使用中。肺炎で入院した。");

        assertThat(hits).containsOnlyKeys("肺炎", "インスリン", "既往歴");
    }

    @Test
    void latinTermsInsideCjkTextNeedLatinFreeNeighbours() {
        TermLexicon zh = substrings("CT", "MRI");

        Map<String, Integer> hits = found(zh, "头部CT正常，ACTH升高，MRI检查。");

        assertThat(hits).containsEntry("CT", 1).containsEntry("MRI", 1); // not the "CT" inside "ACTH"
    }
}
