package io.mmedstream.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LanguageMixerTest {

    private static LanguageMixer weights(int minWindows) {
        return new LanguageMixer(new LanguageMixer.Settings(LanguageMixer.Mode.WEIGHTS, LanguageMixer.MMEDC_TOKENS,
                3, minWindows));
    }

    @Test
    void defaultWeightsAreTheMmedcProportions() {
        Map<String, Long> all = Map.of("en", 10L, "zh", 10L, "es", 10L, "fr", 10L, "ja", 10L, "ru", 10L);
        LanguageMixer.Mix mix = weights(0).mix(all, 8);
        assertThat(mix.description()).isEqualTo("weights");
        assertThat(mix.probabilities().get("en")).isCloseTo(10.56 / 25.49, within(1e-9));
        assertThat(mix.probabilities().get("ru")).isCloseTo(1.69 / 25.49, within(1e-9));
        assertThat(mix.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(1.0, within(1e-12));
    }

    @Test
    void weightsAreRenormalisedOverTheLanguagesTheRoundHas() {
        LanguageMixer.Mix mix = weights(0).mix(Map.of("en", 1000L, "ja", 5L), 8);
        assertThat(mix.probabilities()).containsOnlyKeys("en", "ja");
        assertThat(mix.probabilities().get("en")).isCloseTo(10.56 / (10.56 + 2.05), within(1e-9));
    }

    @Test
    void languagesWithTooFewTokensOrNoWeightAreLeftOutWithAReason() {
        LanguageMixer.Mix mix = weights(4).mix(Map.of("en", 1000L, "fr", 31L, "de", 5000L), 8);
        assertThat(mix.probabilities()).containsOnlyKeys("en");
        assertThat(mix.probabilities().get("en")).isEqualTo(1.0);
        assertThat(mix.left()).containsEntry("fr", "31 tokens < 32").containsEntry("de", "no configured weight");
    }

    @Test
    void noTrainableLanguageGivesAnEmptyMix() {
        assertThat(weights(4).mix(Map.of("en", 3L), 8).empty()).isTrue();
    }

    @Test
    void temperatureOneKeepsTheNaturalMixAndLargeTemperaturesFlattenIt() {
        Map<String, Long> tokens = Map.of("en", 9000L, "ru", 1000L);
        LanguageMixer natural = new LanguageMixer(new LanguageMixer.Settings(LanguageMixer.Mode.TEMPERATURE,
                Map.of(), 1, 0));
        assertThat(natural.mix(tokens, 8).probabilities().get("en")).isCloseTo(0.9, within(1e-12));
        LanguageMixer flat = new LanguageMixer(new LanguageMixer.Settings(LanguageMixer.Mode.TEMPERATURE, Map.of(),
                3, 0));
        LanguageMixer.Mix mix = flat.mix(tokens, 8);
        double expectedEn = Math.cbrt(9000) / (Math.cbrt(9000) + Math.cbrt(1000));
        assertThat(mix.probabilities().get("en")).isCloseTo(expectedEn, within(1e-12));
        assertThat(mix.probabilities().get("ru")).isGreaterThan(0.1);
        assertThat(mix.description()).isEqualTo("temperature:3.0");
    }

    @Test
    void parsesWeightsAndRejectsMalformedOnes() {
        assertThat(LanguageMixer.parseWeights(" EN = 2, zh=1.5,")).containsEntry("en", 2.0).containsEntry("zh", 1.5);
        assertThat(LanguageMixer.parseWeights("")).isEmpty();
        assertThatThrownBy(() -> LanguageMixer.parseWeights("en")).hasMessageContaining("not lang=weight");
        assertThatThrownBy(() -> LanguageMixer.parseWeights("en=x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> new LanguageMixer.Settings(LanguageMixer.Mode.WEIGHTS, Map.of("en", 0.0), 1, 0))
                .hasMessageContaining("no language has a positive weight");
    }
}
