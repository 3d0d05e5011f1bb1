package io.mmedstream.filter.service;

import java.util.List;
import java.util.Map;

/**
 * The quality rules' outcome for one text.
 *
 * @param failed  reason codes of the rules the text breaks, in rule order (empty when it passes)
 * @param metrics every rule's figure, named by {@link io.mmedstream.filter.domain.ScoreNames} ({@code q_*})
 */
public record QualityReport(List<String> failed, Map<String, Double> metrics) {

    public QualityReport {
        failed = List.copyOf(failed);
        metrics = Map.copyOf(metrics);
    }

    public boolean passed() {
        return failed.isEmpty();
    }
}
