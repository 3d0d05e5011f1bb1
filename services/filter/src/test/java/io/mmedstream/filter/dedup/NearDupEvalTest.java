package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The near-duplicate goals on a fixed-seed test set: perturbed copies of the project's sample corpus (300 documents,
 * six languages; see {@link NearDupTestSet}).
 */
class NearDupEvalTest {

    @Test
    void recallAtJaccard08IsAtLeast95PercentAndFalseMatchesBelow05AtMost1Percent() throws Exception {
        List<NearDupTestSet.Doc> corpus = NearDupEval.read(NearDupEval.sampleCorpus());
        DedupSettings settings = DedupSettings.defaults();

        NearDupEval.TestSet set = NearDupEval.build(corpus, settings, 42, 6);
        NearDupEval.Report report = NearDupEval.evaluate(set, settings);

        assertThat(corpus).hasSize(300);
        assertThat(report.positives()).as("copies with J >= 0.8").isGreaterThanOrEqualTo(200);
        assertThat(report.negatives()).as("copies with J < 0.5 and held-out documents").isGreaterThanOrEqualTo(200);
        assertThat(report.recall()).as("recall at J >= 0.8").isGreaterThanOrEqualTo(0.95);
        assertThat(report.falseMatchRate()).as("false matches at J < 0.5").isLessThanOrEqualTo(0.01);
    }

    @Test
    void copiesSpreadOverTheWholeSimilarityRange() throws Exception {
        NearDupEval.TestSet set = NearDupEval.build(NearDupEval.read(NearDupEval.sampleCorpus()),
                DedupSettings.defaults(), 42, 6);

        assertThat(set.copies()).anyMatch(c -> c.trueJaccard() < 0.4)
                .anyMatch(c -> c.trueJaccard() >= 0.5 && c.trueJaccard() < 0.7)
                .anyMatch(c -> c.trueJaccard() >= 0.8 && c.trueJaccard() < 0.9)
                .anyMatch(c -> c.trueJaccard() == 1.0)
                .anyMatch(c -> c.lang().equals("zh"))
                .anyMatch(c -> c.lang().equals("ja"));
    }
}
