package io.mmedstream.local.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ArgumentsTest {

    private static Arguments parse(String... args) {
        return Arguments.parse(List.of(args), Set.of("--once"), Set.of("--corpus", "--threads"));
    }

    @Test
    void readsFlagsOptionsAndPositionalsInAnyOrder() {
        Arguments a = parse("file.jsonl", "--corpus", "c.gz", "--once", "--threads=2");

        assertThat(a.flag("--once")).isTrue();
        assertThat(a.option("--corpus")).contains("c.gz");
        assertThat(a.positiveInt("--threads")).contains(2);
        assertThat(a.positionals()).containsExactly("file.jsonl");
    }

    @Test
    void absentFlagsAndOptionsAreEmpty() {
        Arguments a = parse();

        assertThat(a.flag("--once")).isFalse();
        assertThat(a.option("--corpus")).isEmpty();
        assertThat(a.positionals()).isEmpty();
    }

    @Test
    void helpIsAFlagOfEveryCommand() {
        assertThat(parse("-h").flag(Arguments.HELP)).isTrue();
        assertThat(parse("--help").flag(Arguments.HELP)).isTrue();
    }

    @Test
    void doubleDashEndsOptionsSoFilesMayStartWithADash() {
        assertThat(parse("--", "--once").positionals()).containsExactly("--once");
    }

    @Test
    void rejectsUnknownOptions() {
        assertThatThrownBy(() -> parse("--bogus")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown option --bogus");
    }

    @Test
    void rejectsAnOptionWithoutItsValue() {
        assertThatThrownBy(() -> parse("--corpus")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--corpus needs a value");
    }

    @Test
    void rejectsAValueOnAFlag() {
        assertThatThrownBy(() -> parse("--once=yes")).isInstanceOf(UsageException.class);
    }

    @Test
    void rejectsAnOptionGivenTwice() {
        assertThatThrownBy(() -> parse("--corpus", "a", "--corpus", "b")).isInstanceOf(UsageException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void rejectsANumberOptionThatIsNotPositive() {
        assertThatThrownBy(() -> parse("--threads", "0").positiveInt("--threads"))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> parse("--threads", "two").positiveInt("--threads"))
                .isInstanceOf(UsageException.class).hasMessageContaining("'two'");
    }

    @Test
    void checksTheNumberOfPositionals() {
        assertThatThrownBy(() -> parse().expectPositionals(1, 1, "the file")).isInstanceOf(UsageException.class)
                .hasMessage("missing the file");
        assertThatThrownBy(() -> parse("a", "b").expectPositionals(1, 1, "the file"))
                .isInstanceOf(UsageException.class).hasMessageContaining("'b'");
    }
}
