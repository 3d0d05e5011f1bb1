package io.mmedstream.eval.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.eval.report.CheckpointAccuracy;

class PromotionPolicyTest {

    private final PromotionPolicy policy = new PromotionPolicy(1.0, 2.0);

    private static CheckpointAccuracy accuracy(String id, double en, double zh, double fr) {
        Map<Language, Double> m = new EnumMap<>(Language.class);
        m.put(Language.ENGLISH, en);
        m.put(Language.CHINESE, zh);
        m.put(Language.FRENCH, fr);
        return new CheckpointAccuracy(id, m, (en + zh + fr) / 3);
    }

    private static Optional<ServingModel> serving(CheckpointAccuracy a) {
        return Optional.of(new ServingModel(a.checkpoint(), "1", a));
    }

    @Test
    void theFirstEvaluatedCheckpointIsPromotedWhateverItsScore() {
        PromotionDecision d = policy.decide(accuracy("c1", 0, 0, 0), Optional.empty());

        assertThat(d.promote()).isTrue();
        assertThat(d.reason()).contains("first evaluated checkpoint");
    }

    @Test
    void aGainOfAtLeastTheMarginWithoutLanguageDropsIsPromoted() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);   // mean 40
        CheckpointAccuracy next = accuracy("c2", 51, 41, 31);      // mean 41: gain exactly 1.0

        PromotionDecision d = policy.decide(next, serving(current));

        assertThat(d.promote()).isTrue();
        assertThat(d.reason()).contains("beats the serving checkpoint").contains("c1").contains("gain 1.00");
    }

    @Test
    void aGainBelowTheMarginIsNotPromoted() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);
        CheckpointAccuracy next = accuracy("c2", 51, 40.5, 30.9);  // mean 40.8: gain 0.8 < 1.0

        PromotionDecision d = policy.decide(next, serving(current));

        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).startsWith("gain below margin");
    }

    @Test
    void aLowerMeanIsNotPromoted() {
        PromotionDecision d = policy.decide(accuracy("c2", 40, 40, 30), serving(accuracy("c1", 50, 40, 30)));

        assertThat(d.promote()).isFalse();
    }

    @Test
    void aLanguageFallingByMoreThanTheToleranceBlocksPromotionDespiteABetterMean() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);   // mean 40
        CheckpointAccuracy next = accuracy("c2", 70, 40, 27.5);    // mean 45.8, French falls 2.5 > 2.0

        PromotionDecision d = policy.decide(next, serving(current));

        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).startsWith("French falls more than the tolerance").contains("2.50");
    }

    @Test
    void aLanguageFallingByExactlyTheToleranceIsAllowed() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);
        CheckpointAccuracy next = accuracy("c2", 60, 40, 28);      // French falls 2.0 = tolerance

        assertThat(policy.decide(next, serving(current)).promote()).isTrue();
    }

    @Test
    void aLanguageTheServingCheckpointWasMeasuredOnButTheCandidateWasNotBlocksPromotion() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);
        CheckpointAccuracy next = new CheckpointAccuracy("c2", Map.of(Language.ENGLISH, 90.0), 90.0);

        PromotionDecision d = policy.decide(next, serving(current));

        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("was not evaluated on");
    }

    @Test
    void theServingCheckpointIsNotPromotedAgain() {
        CheckpointAccuracy current = accuracy("c1", 50, 40, 30);

        assertThat(policy.decide(current, serving(current)).promote()).isFalse();
    }

    @Test
    void negativeMarginOrToleranceIsRefused() {
        assertThatThrownBy(() -> new PromotionPolicy(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PromotionPolicy(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
