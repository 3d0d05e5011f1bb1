package io.mmedstream.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmedstream.eval.benchmark.Language;
import java.util.List;
import org.junit.jupiter.api.Test;

class RationaleSegmenterTest {

    @Test
    void alphabeticLanguagesSplitOnWhitespaceAndPunctuation() {
        assertThat(RationaleSegmenter.words("The patient's BP: 120/80.", Language.ENGLISH))
                .containsExactly("the", "patient", "s", "bp", "120", "80");
        assertThat(RationaleSegmenter.words("L'hépatite B, aiguë.", Language.FRENCH))
                .containsExactly("l", "hépatite", "b", "aiguë");
        assertThat(RationaleSegmenter.words("Никорандил вызывает расширение сосудов!", Language.RUSSIAN))
                .containsExactly("никорандил", "вызывает", "расширение", "сосудов");
        assertThat(RationaleSegmenter.words("¿Cuál es la respuesta?", Language.SPANISH))
                .containsExactly("cuál", "es", "la", "respuesta");
    }

    @Test
    void chineseIsSegmentedIntoWordsNotCharactersWithoutPunctuation() {
        List<String> words = RationaleSegmenter.words("患者出现急性心肌梗死，应立即给予阿司匹林。", Language.CHINESE);
        assertThat(words).contains("患者", "急性", "阿司匹林").doesNotContain("，", "。", ",");
        assertThat(words.size()).isLessThan("患者出现急性心肌梗死应立即给予阿司匹林".length());
    }

    @Test
    void japaneseIsSegmentedIntoMorphemesWithoutPunctuation() {
        List<String> words = RationaleSegmenter.words("原発性副甲状腺機能亢進症は通常無症状である。", Language.JAPANESE);
        assertThat(words).contains("甲状腺", "機能", "症状").doesNotContain("。");
        assertThat(words.size()).isLessThan("原発性副甲状腺機能亢進症は通常無症状である".length());
    }

    @Test
    void fullWidthFormsAreNormalised() {
        assertThat(RationaleSegmenter.words("ＡＢＣ１２３", Language.ENGLISH)).containsExactly("abc123");
    }
}
