package io.mmedstream.inference.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mmedstream.eval.benchmark.Language;
import io.mmedstream.inference.domain.GenerationSpec;
import io.mmedstream.inference.domain.QuestionSpec;

class RequestValidatorTest {

    private final RequestValidator validator = new RequestValidator(256, 4096);

    private static void assertInvalid(Runnable call, String field) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.reason()).isEqualTo(InferenceException.Reason.INVALID_ARGUMENT);
            assertThat(e.getMessage()).startsWith(field + ":");
        });
    }

    @Test
    void unsetNumbersTakeTheDefaults() {
        GenerationSpec spec = validator.generation("Fever", null, null, null, List.of(), null);
        assertThat(spec.maxTokens()).isEqualTo(256);
        assertThat(spec.temperature()).isEqualTo(1.0);
        assertThat(spec.topP()).isEqualTo(1.0);
        assertThat(spec.seed()).isNull();
    }

    @Test
    void validValuesPassThrough() {
        GenerationSpec spec = validator.generation("Fever", 4096, 0.0, 1.0, List.of("\n"), 7L);
        assertThat(spec).isEqualTo(new GenerationSpec("Fever", 4096, 0.0, 1.0, List.of("\n"), 7L));
        assertThat(validator.generation("x", 1, 2.5, 0.01, null, null).topP()).isEqualTo(0.01);
    }

    @Test
    void emptyOrBlankPromptIsRejectedNamingPrompt() {
        assertInvalid(() -> validator.generation("", null, null, null, null, null), "prompt");
        assertInvalid(() -> validator.generation(" \n", null, null, null, null, null), "prompt");
    }

    @Test
    void maxTokensOutOfRangeIsRejectedNamingMaxTokens() {
        assertInvalid(() -> validator.generation("x", 0, null, null, null, null), "max_tokens");
        assertInvalid(() -> validator.generation("x", -3, null, null, null, null), "max_tokens");
        assertInvalid(() -> validator.generation("x", 4097, null, null, null, null), "max_tokens");
    }

    @Test
    void negativeOrNonFiniteTemperatureIsRejected() {
        assertInvalid(() -> validator.generation("x", null, -0.1, null, null, null), "temperature");
        assertInvalid(() -> validator.generation("x", null, Double.NaN, null, null, null), "temperature");
        assertInvalid(() -> validator.generation("x", null, Double.POSITIVE_INFINITY, null, null, null),
                "temperature");
    }

    @Test
    void topPOutsideZeroExclusiveToOneIsRejected() {
        assertInvalid(() -> validator.generation("x", null, null, 0.0, null, null), "top_p");
        assertInvalid(() -> validator.generation("x", null, null, 1.0001, null, null), "top_p");
        assertInvalid(() -> validator.generation("x", null, null, -1.0, null, null), "top_p");
        assertInvalid(() -> validator.generation("x", null, null, Double.NaN, null, null), "top_p");
    }

    @Test
    void emptyOrTooManyStopStringsAreRejected() {
        assertInvalid(() -> validator.generation("x", null, null, null, List.of("a", ""), null), "stop[1]");
        assertInvalid(() -> validator.generation("x", null, null, null,
                List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"), null), "stop");
    }

    @Test
    void questionLanguageDefaultsToEnglishAndAcceptsCodes() {
        QuestionSpec q = validator.question("Q?", Map.of("B", "two", "A", "one"), "", false);
        assertThat(q.language()).isEqualTo(Language.ENGLISH);
        assertThat(q.options().keySet()).containsExactly("A", "B");
        assertThat(validator.question("Q?", Map.of("A", "da", "B", "net"), "fr", true).language())
                .isEqualTo(Language.FRENCH);
    }

    @Test
    void badQuestionsAreRejectedNamingTheField() {
        assertInvalid(() -> validator.question(" ", Map.of("A", "a", "B", "b"), "", false), "question");
        assertInvalid(() -> validator.question("Q", Map.of("A", "a"), "", false), "options");
        assertInvalid(() -> validator.question("Q", Map.of("A", "a", "b", "b"), "", false), "options");
        assertInvalid(() -> validator.question("Q", Map.of("A", "a", "B", " "), "", false), "options[B]");
        assertInvalid(() -> validator.question("Q", Map.of("A", "a", "B", "b"), "Klingon", false), "language");
    }

    @Test
    void sizesAreCountedInUtf8BytesAndNotEchoed() {
        RequestValidator small = new RequestValidator(16, 64, new RequestValidator.Limits(10, 3, 6, 2, 4));
        assertThat(small.generation("é".repeat(5), null, null, null, null, null).prompt()).hasSize(5);
        assertThatThrownBy(() -> small.generation("é".repeat(6), null, null, null, null, null))
                .hasMessage("prompt: is 12 bytes (UTF-8), at most 10");
        assertInvalid(() -> small.generation("x", null, null, null, List.of("12345"), null), "stop[0]");
        assertInvalid(() -> small.generation("x", null, null, null, List.of("a", "b", "c"), null), "stop");
        assertInvalid(() -> small.question("Q?", Map.of("A", "a", "B", "b", "C", "c", "D", "d"), "", false),
                "options");
        assertInvalid(() -> small.question("Q?", Map.of("A", "a", "B", "1234567"), "", false), "options[B]");
    }

    @Test
    void controlCharactersAreRefusedButTabsAndLineBreaksPass() {
        assertThat(validator.generation("a\tb\r\nc 🩺", null, null, null, List.of("\n\n"), null)).isNotNull();
        assertInvalid(() -> validator.generation("a\u0000b", null, null, null, null, null), "prompt");
        assertInvalid(() -> validator.generation("a\u007fb", null, null, null, null, null), "prompt");
        assertInvalid(() -> validator.generation("a\u009bb", null, null, null, null, null), "prompt");
        assertInvalid(() -> validator.generation("a\ud800b", null, null, null, null, null), "prompt");
        assertInvalid(() -> validator.generation("x", null, null, null, List.of("\u0004"), null), "stop[0]");
        assertInvalid(() -> validator.question("Q\u0001?", Map.of("A", "a", "B", "b"), "", false), "question");
    }

    @Test
    void longOrOddValuesAreNeverQuotedBack() {
        String longKey = "SECRET-" + "x".repeat(40);
        assertThatThrownBy(() -> validator.question("Q", Map.of("A", "a", longKey, "b"), "", false))
                .hasMessageNotContaining("SECRET").hasMessageContaining("47 characters, not shown");
        assertThatThrownBy(() -> validator.question("Q", Map.of("A", "a", "B", "b"), "SECRET-" + "y".repeat(40),
                false)).hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> validator.question("Q", Map.of("A", "a", "B", "b"), "Klingon", false))
                .hasMessageContaining("\"Klingon\"");
    }
}
