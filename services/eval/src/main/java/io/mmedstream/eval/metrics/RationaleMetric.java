package io.mmedstream.eval.metrics;

/**
 * The rationale similarity metrics, each under its true name (REFERENCE §2: the released script computed cumulative
 * BLEU-4 and ROUGE-L while the paper's tables said BLEU-1 and ROUGE-1). All are sentence-level scores of one model
 * rationale against its one reference, averaged over the items of a language, reported in percent (0..100).
 */
public enum RationaleMetric {
    /** Unigram precision (clipped) times the brevity penalty. */
    BLEU_1("BLEU-1"),
    /** Bigram precision (clipped) times the brevity penalty: this order alone, not cumulative. */
    BLEU_2("BLEU-2"),
    /** Trigram precision (clipped) times the brevity penalty: this order alone. */
    BLEU_3("BLEU-3"),
    /** 4-gram precision (clipped) times the brevity penalty: this order alone. */
    BLEU_4("BLEU-4"),
    /** The geometric mean of the 1- to 4-gram precisions times the brevity penalty: what "BLEU" usually means. */
    CUMULATIVE_BLEU_4("cumulative BLEU-4"),
    /** F1 of unigram overlap. */
    ROUGE_1("ROUGE-1"),
    /** F1 of bigram overlap. */
    ROUGE_2("ROUGE-2"),
    /** F1 of the longest common subsequence of words. */
    ROUGE_L("ROUGE-L");

    private final String label;

    RationaleMetric(String label) {
        this.label = label;
    }

    /** The name reports use: {@code BLEU-1} ... {@code cumulative BLEU-4}, {@code ROUGE-1}, ... */
    public String label() {
        return label;
    }
}
