package io.mmedstream.inference.domain;

import java.util.SortedSet;

/**
 * The answer to a question.
 *
 * @param prompt            the exact prompt sent
 * @param completion        the generation (raw output, model, usage)
 * @param chosen            chosen option keys, empty when unparseable
 * @param rule              the parser rule that read them, empty when unparseable
 * @param unparseableReason why nothing could be read, empty when an answer was read
 * @param rationale         the rationale before the answer (with-rationale requests), else empty
 */
public record AnswerResult(String prompt, Completion completion, SortedSet<String> chosen, String rule,
                           String unparseableReason, String rationale) {
}
