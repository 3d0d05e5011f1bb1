package io.mmedstream.filter.service;

import java.lang.Character.UnicodeScript;
import java.util.Map;
import java.util.Set;

/**
 * One language's medical relevance test, as a relevance mode defines it: {@link MmedcRelevance} (the paper's) or
 * {@link WeightedRelevance} ({@code lexical-v2}). Immutable and thread-safe.
 */
public interface RelevanceTest {

    /** Decides whether a text in this test's language is medical, and puts the figures it used into scores. */
    boolean test(String text, Map<String, Double> scores);

    /** The scripts the language is written in (language identification uses them). */
    Set<UnicodeScript> scripts();

    /** The thresholds in force, for logs and reports, e.g. {@code 5/0.04}. */
    String thresholdSummary();
}
