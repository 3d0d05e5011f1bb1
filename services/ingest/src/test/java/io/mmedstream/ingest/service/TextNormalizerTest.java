package io.mmedstream.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {

    @Test
    void composesDecomposedCharactersToNfc() {
        assertThat(TextNormalizer.normalize("Cafe\u0301")).isEqualTo("Caf\u00E9");
        assertThat(TextNormalizer.normalize("\u1100\u1161")).isEqualTo("\uAC00"); // Hangul jamo -> syllable
        assertThat(TextNormalizer.normalize("A\u030A")).isEqualTo("\u00C5");
    }

    @Test
    void leavesCompatibilityCharactersAloneBecauseItIsNfcNotNfkc() {
        assertThat(TextNormalizer.normalize("\uFB01le \uFF21")).isEqualTo("\uFB01le \uFF21");
    }

    @Test
    void composesAcrossARemovedControlCharacter() {
        assertThat(TextNormalizer.normalize("e\u0007\u0301")).isEqualTo("\u00E9");
    }

    @Test
    void unifiesEveryNewlineToLineFeed() {
        assertThat(TextNormalizer.normalize("a\r\nb\rc\u0085d\u2028e\u2029f\ng"))
                .isEqualTo("a\nb\nc\nd\ne\nf\ng");
        assertThat(TextNormalizer.normalize("a\r\r\nb\n\rc")).isEqualTo("a\n\nb\n\nc");
    }

    @Test
    void keepsTabsAndNewlinesInsideTheText() {
        assertThat(TextNormalizer.normalize("col1\tcol2\nrow2\t\tx")).isEqualTo("col1\tcol2\nrow2\t\tx");
    }

    @Test
    void removesControlCharactersOtherThanNewlineAndTab() {
        assertThat(TextNormalizer.normalize("a\u0000b\u0007c\u001Bd\u007Fe\u0080f\u009Fg\u000Bh\u000Ci\u001Fj"))
                .isEqualTo("abcdefghij");
    }

    @Test
    void removesByteOrderMarksAnywhere() {
        assertThat(TextNormalizer.normalize("\uFEFFabc\uFEFFdef")).isEqualTo("abcdef");
    }

    @Test
    void keepsFormatCharactersThatCarryMeaning() {
        String text = "a\u200Bb\u200Cc\u200Dd\u200Ee";
        assertThat(TextNormalizer.normalize(text)).isEqualTo(text);
    }

    @Test
    void trimsLeadingAndTrailingWhiteSpaceIncludingNoBreakAndIdeographicSpaces() {
        assertThat(TextNormalizer.normalize(" \t\n\u00A0\u3000abc def\u2003\u00A0\n\t ")).isEqualTo("abc def");
    }

    @Test
    void keepsWhiteSpaceInsideTheText() {
        assertThat(TextNormalizer.normalize("a  b\n\n\nc")).isEqualTo("a  b\n\n\nc");
    }

    @Test
    void blankTextBecomesEmpty() {
        assertThat(TextNormalizer.normalize("")).isEmpty();
        assertThat(TextNormalizer.normalize(" \t\r\n\u0000\uFEFF\u3000\u2028\u0085")).isEmpty();
    }

    @Test
    void keepsCharactersOutsideTheBasicPlane() {
        assertThat(TextNormalizer.normalize("\uD835\uDD38 \uD83D\uDE00 \uD840\uDC0B")).isEqualTo(
                "\uD835\uDD38 \uD83D\uDE00 \uD840\uDC0B");
    }

    @Test
    void resultIsNfcAndNormalisingAgainChangesNothing() {
        List<String> samples = List.of("  Cafe\u0301\r\n", "\u1100\u1161\u11A8\u0000x", "a\u0301\u0327\u00A0",
                "\u2000abc\u2000", "\u0301start", "x\r\n\r\n\u0008y", "\u00A0\u0301\u00A0");
        for (String sample : samples) {
            String once = TextNormalizer.normalize(sample);
            assertThat(Normalizer.isNormalized(once, Normalizer.Form.NFC)).as(sample).isTrue();
            assertThat(TextNormalizer.normalize(once)).as(sample).isEqualTo(once);
        }
        Random random = new Random(42);
        String alphabet = "ae\u0301\u0308\u0327 \t\n\r\u0000\u0085\u2028\uFEFF\u00A0\u3000\u1100\u1161\u11A8\u2000"
                + "\u212B\u00C5\u1E9B\u0323";
        for (int round = 0; round < 2000; round++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String once = TextNormalizer.normalize(b.toString());
            assertThat(TextNormalizer.normalize(once)).as("%s", b.toString().chars().boxed().toList())
                    .isEqualTo(once);
        }
    }

    @Test
    void returnsTheSameStringWhenNothingChanges() {
        String clean = "Already clean text.\nSecond line.";
        assertThat(TextNormalizer.normalize(clean)).isSameAs(clean);
    }
}
