package io.mmedstream.inference.domain;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

import io.mmedstream.eval.benchmark.Language;

/**
 * A validated multiple-choice question.
 *
 * @param question      question text
 * @param options       option key to text, in key order
 * @param language      the benchmark language
 * @param withRationale ask for a rationale first
 */
public record QuestionSpec(String question, SortedMap<String, String> options, Language language,
                           boolean withRationale) {

    public QuestionSpec {
        options = Collections.unmodifiableSortedMap(new TreeMap<>(options));
    }
}
