package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mmedstream.filter.domain.ScoreNames;

/**
 * The {@code lexical-v2} relevance test. A language's weighted term list ({@link TermLexicon}) is matched by stems
 * (en, fr, es, ru) or longest substrings (zh, ja) ({@link TermMatcher}), and the set's clinical measurement patterns
 * ({@link ClinicalPatterns}: "500 mg", "120/80 mmHg") are found. Two figures:
 * <ul>
 * <li><b>evidence</b> = the sum of the weights of the distinct terms and pattern classes found: how many different
 * medical things the text speaks of, the strong ones counting more. Repeating a word adds no evidence.</li>
 * <li><b>density</b> = the sum over occurrences of weight x length in units, over the text's length in units:
 * tokens for stem lists, letters and digits for substring lists (a pattern occurrence counts as one unit, two for
 * substring lists).</li>
 * </ul>
 * Medical when evidence &ge; {@code min-evidence} and density &ge; {@code min-density} (the main rule; a text shorter
 * than {@code evidence-length} units has fewer occasions to name things and needs proportionally less evidence, never
 * less than the dense rule's), or, when the
 * term list defines it, evidence &ge; {@code dense-min-evidence} and density &ge; {@code dense-min-density} (the dense
 * rule: a short text, such as a leaflet paragraph or a patient's question, names fewer medical things than a case
 * report, but when it says little else its density is high; the dense rule asks for about half the evidence and
 * about three times the density). Thresholds per language come from the term list's header; the main rule's are
 * overridable by configuration. Scores: {@code term_count} (distinct terms),
 * {@code pattern_count} (pattern occurrences), {@code relevance_evidence}, {@code relevance_density}.
 */
final class WeightedRelevance implements RelevanceTest {

    private final TermLexicon lexicon;
    private final TermMatcher matcher;
    private final ClinicalPatterns patterns;
    private final double[] weights;
    private final double minEvidence;
    private final double minDensity;
    private final TermLexicon.Thresholds dense;
    private final double patternUnits;

    WeightedRelevance(TermLexicon lexicon, ClinicalPatterns patterns, double minEvidence, double minDensity) {
        this.lexicon = lexicon;
        this.matcher = TermMatcher.of(lexicon);
        this.patterns = patterns;
        List<TermLexicon.Term> terms = lexicon.terms();
        this.weights = terms.stream().mapToDouble(TermLexicon.Term::weight).toArray();
        this.minEvidence = minEvidence;
        this.minDensity = minDensity;
        this.dense = lexicon.dense();
        this.patternUnits = lexicon.matching() == TermLexicon.Matching.SUBSTRING ? 2.0 : 1.0;
    }

    @Override
    public boolean test(String text, Map<String, Double> scores) {
        Result r = score(text);
        scores.put(ScoreNames.TERM_COUNT, (double) r.distinctTerms());
        scores.put(ScoreNames.PATTERN_COUNT, (double) r.patternOccurrences());
        scores.put(ScoreNames.RELEVANCE_EVIDENCE, r.evidence());
        scores.put(ScoreNames.RELEVANCE_DENSITY, r.density());
        return medical(r);
    }

    boolean medical(Result r) {
        if (r.evidence() >= requiredEvidence(r.units()) && r.density() >= minDensity) {
            return true;
        }
        return dense != null && r.evidence() >= dense.minEvidence() && r.density() >= dense.minDensity();
    }

    /**
     * The figures for one text.
     *
     * @param distinctTerms      distinct terms found
     * @param patternOccurrences clinical pattern occurrences found
     * @param evidence           weights of the distinct terms and pattern classes found, summed
     * @param density            weighted matched units over the text's units
     * @param units              the text's length in units
     */
    record Result(int distinctTerms, int patternOccurrences, double evidence, double density, int units) {
    }

    Result score(String text) {
        int[] counts = new int[matcher.termCount()];
        int units = matcher.count(text, counts);
        double evidence = 0;
        double weighted = 0;
        int distinct = 0;
        for (int t = 0; t < counts.length; t++) {
            if (counts[t] > 0) {
                distinct++;
                evidence += weights[t];
                weighted += counts[t] * weights[t] * matcher.units(t);
            }
        }
        int[] patternCounts = new int[patterns.classes().size()];
        patterns.count(text, patternCounts);
        int patternOccurrences = 0;
        for (int c = 0; c < patternCounts.length; c++) {
            if (patternCounts[c] > 0) {
                double w = patterns.classes().get(c).weight();
                evidence += w;
                weighted += patternCounts[c] * w * patternUnits;
                patternOccurrences += patternCounts[c];
            }
        }
        double density = units == 0 ? 0.0 : Math.min(1.0, weighted / units);
        return new Result(distinct, patternOccurrences, evidence, density, units);
    }

    /** The evidence the main rule asks of a text of the given length in units. */
    double requiredEvidence(int units) {
        int full = lexicon.evidenceLength();
        if (full <= 0 || units >= full) {
            return minEvidence;
        }
        double floor = dense != null ? Math.min(dense.minEvidence(), minEvidence) : minEvidence;
        return Math.max(floor, minEvidence * units / full);
    }

    /** The terms found in a text with their occurrences (diagnostics and tests). */
    Map<String, Integer> termsFound(String text) {
        int[] counts = new int[matcher.termCount()];
        matcher.count(text, counts);
        Map<String, Integer> found = new java.util.LinkedHashMap<>();
        for (int t = 0; t < counts.length; t++) {
            if (counts[t] > 0) {
                found.put(lexicon.terms().get(t).text(), counts[t]);
            }
        }
        return found;
    }

    TermLexicon lexicon() {
        return lexicon;
    }

    double minEvidence() {
        return minEvidence;
    }

    double minDensity() {
        return minDensity;
    }

    @Override
    public Set<UnicodeScript> scripts() {
        return lexicon.scripts();
    }

    @Override
    public String thresholdSummary() {
        return minEvidence + "/" + minDensity + (dense == null ? "" : " or " + dense.minEvidence() + "/"
                + dense.minDensity());
    }
}
