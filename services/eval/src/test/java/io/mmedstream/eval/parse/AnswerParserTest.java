package io.mmedstream.eval.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmedstream.eval.parse.ParsedAnswer.Chosen;
import io.mmedstream.eval.parse.ParsedAnswer.Rule;
import io.mmedstream.eval.parse.ParsedAnswer.Unparseable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerParserTest {

    /** An English MedQA-style question: four options. */
    static final Map<String, String> FOUR = options(
            "A", "Anterior horn cell degeneration",
            "B", "Axonal demyelination",
            "C", "Decreased acetylcholine receptor density",
            "D", "Myonecrosis");
    /** A FrenchMedMCQA-style question: five options, several may be right. */
    static final Map<String, String> FIVE = options(
            "A", "Elle est obtenue par enrobage",
            "B", "Elle peut être sécable",
            "C", "Libération par diffusion",
            "D", "Cires solides comme excipients",
            "E", "Comprimé ou gélule");
    /** A RuMedDaNet yes/no question. */
    static final Map<String, String> YES_NO = options("A", "да", "B", "нет");

    private final AnswerParser parser = new AnswerParser();

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "###Answer: OPTION B IS CORRECT.</s>",
        "###Answer: OPTION B IS CORRECT.<|im_end|>",
        "###Answer: OPTION B IS CORRECT.<|eot_id|>",
        "###Answer: OPTION B IS CORRECT.<eos>",
        "###Answer: OPTION B IS CORRECT.<|end_of_text|>",
        "###Answer: OPTION B IS CORRECT.<end_of_turn>",
        "###Answer: OPTION B IS CORRECT.",
        "###Answer: OPTION B IS CORRECT",
        " ###Answer: OPTION B IS CORRECT.</s>\n",
        "###Answer:OPTION B IS CORRECT.",
        "### Answer: Option B is correct.",
        "###answer: option b is correct.",
        "###Answer: OPTION B IS CORRECT.</s>###Answer: OPTION C IS CORRECT.</s>",
        "###Answer: OPTION B IS CORRECT.\n\n### Instruction:\nYou're a English doctor ... ###Options: A. x",
        "<|im_start|>assistant\n###Answer: OPTION B IS CORRECT.<|im_end|>",
        "###Rationale: The weak cry and hypotonia point to a neuromuscular junction problem. Option A is unlikely."
                + "\n###Answer: OPTION B IS CORRECT.</s>",
        "B",
        "B.",
        " B </s>",
        "(B)",
        "[B]",
        "B)",
        "**B**",
        "b",
        "(b)",
        "Option B",
        "B\nBecause the infant has a weak cry.",
        "B. Axonal demyelination",
        "Answer: B",
        "Answer: b.",
        "answer: B",
        "ANSWER: B",
        "Answer:\nB",
        "The answer is B.",
        "The answer is B because the cry is weak.",
        "The correct answer is (B) Axonal demyelination.",
        "Correct answer: **B**",
        "Final answer: B",
        "Option B is correct.",
        "The best option is B.",
        "B is correct.",
        "I think B is the correct answer... B is correct.",
        "Answer: Axonal demyelination",
        "Axonal demyelination",
        "axonal  demyelination.",
        "Axonal demyelination\nThe infant shows ...",
        "答案：B",
        "答案：Ｂ",
        "答案: B",
        "答案是B",
        "答案是B，因为患儿哭声弱。",
        "答案为B",
        "正确答案是B。",
        "正解はB",
        "正解は B です。",
        "答えはBです",
        "Réponse : B",
        "La bonne réponse est B.",
        "Respuesta: B",
        "La respuesta correcta es la B.",
        "Ответ: B",
        "Ответ: В",
        "Правильный ответ: В.",
        "Правильный вариант: B",
        "B) Axonal demyelination",
        "B: Axonal demyelination",
        "**Answer:** B",
        "Answer - B",
        "The best answer is B.",
        "Correct option: (B)",
        "La réponse est : B",
        "L'option B est correcte.",
        "La opción correcta es la B.",
        "La opción B es correcta.",
        "正确答案：B．轴索脱髓鞘",
        "应选B。",
        "故选B",
        "正しいのはBです。",
        "正しい選択肢はB",
    })
    void readsTheTargetPhraseWithAnyEndTokenAndCommonVariants(String output) {
        assertThat(parser.parse(output, FOUR)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactly("B"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "###Answer: OPTION A,C IS CORRECT.</s>                   | A,C",
        "###Answer: OPTION A, C IS CORRECT.</s>                  | A,C",
        "###Answer: OPTION B,C,D,E IS CORRECT.                   | B,C,D,E",
        "###Answer: OPTION ACD IS CORRECT.                       | A,C,D",
        "Réponse : A, C                                          | A,C",
        "Réponses : A et C                                       | A,C",
        "Les réponses correctes sont A, C et D.                  | A,C,D",
        "Options A and C are correct.                            | A,C",
        "A, C                                                    | A,C",
        "A,C                                                     | A,C",
        "A and C                                                 | A,C",
        "A et C                                                  | A,C",
        "A y C                                                   | A,C",
        "A и C                                                   | A,C",
        "A、C                                                    | A,C",
        "A/C                                                     | A,C",
        "(A) (C)                                                 | A,C",
        "AC                                                      | A,C",
        "BDE                                                     | B,D,E",
        "答案：ACE                                               | A,C,E",
        "答案：A、C                                              | A,C",
        "答案是A和C                                              | A,C",
        "正解はAとC                                              | A,C",
        "Answer: A, C, D                                         | A,C,D",
        "Answer: A, C, E. Option B is wrong.                     | A,C,E",
        "Respuesta: B y D                                        | B,D",
        "Ответ: А, С                                             | A,C",
        "A, A, C                                                 | A,C",
        "Answer: E                                               | E",
        "Les réponses A, C et E sont correctes.                  | A,C,E",
        "Les propositions exactes sont B et D.                   | B,D",
        "Las opciones correctas son A y C.                       | A,C",
    })
    void readsMultiLetterSets(String output, String expected) {
        assertThat(parser.parse(output, FIVE)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactlyElementsOf(new TreeSet<>(Arrays.asList(
                        expected.split(",")))));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "###Answer: OPTION B IS CORRECT.</s>         | B",
        "да                                          | A",
        "Да.                                         | A",
        "НЕТ                                         | B",
        "Нет.                                        | B",
        "Ответ: да                                   | A",
        "Ответ: нет.                                 | B",
        "Нет, никорандил вызывает расширение сосудов. | B",
        "Да, это верно.                              | A",
        "Ответ: А                                    | A",
        "Ответ: В                                    | B",
        "А                                           | A",
        "B                                           | B",
    })
    void readsRussianYesNoAnswersAndCyrillicLookalikeLetters(String output, String expected) {
        assertThat(parser.parse(output, YES_NO)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactly(expected));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "   ",
        "</s>",
        "I don't know.",
        "The answer is a fever.",
        "###Answer: a fever",
        "A 6-month-old boy presents with weakness.",
        "Axonal",
        "CA",
        "BAD",
        "E",
        "Answer: E",
        "###Answer: OPTION F IS CORRECT.</s>",
        "###Answer: OPTION A,E IS CORRECT.",
        "Option Z is correct.",
        "Ответ: Б",
        "答案：",
        "The patient answered the question.",
        "### Instruction:\nYou're a English doctor ...\n###Answer: OPTION B IS CORRECT.",
        "###Question: A 6-month-old ... ###Options: A. x B. y",
    })
    void answersWithoutAValidOptionAreUnparseable(String output) {
        assertThat(parser.parse(output, FOUR)).isInstanceOf(Unparseable.class);
    }

    @Test
    void letterOutsideTheOptionsIsNamedInTheReason() {
        assertThat(parser.parse("###Answer: OPTION F IS CORRECT.</s>", FOUR))
                .isEqualTo(new Unparseable("letter(s) F not among the options A,B,C,D"));
        assertThat(parser.parse("", FOUR)).isEqualTo(new Unparseable("empty output"));
        assertThat(parser.parse("no idea", FOUR)).isEqualTo(new Unparseable("no answer found"));
    }

    @Test
    void nullOutputIsUnparseable() {
        assertThat(parser.parse(null, FOUR)).isInstanceOf(Unparseable.class);
    }

    @Test
    void recordsWhichRuleReadTheAnswer() {
        assertThat(rule("###Answer: OPTION B IS CORRECT.</s>")).isEqualTo(Rule.TARGET_PHRASE);
        assertThat(rule("Option B is correct")).isEqualTo(Rule.OPTION_IS_CORRECT);
        assertThat(rule("答案：B")).isEqualTo(Rule.ANSWER_MARKER);
        assertThat(rule("B is correct")).isEqualTo(Rule.LETTER_IS_CORRECT);
        assertThat(rule("(B)")).isEqualTo(Rule.BARE_LETTERS);
        assertThat(rule("Myonecrosis")).isEqualTo(Rule.OPTION_TEXT);
        assertThat(((Chosen) parser.parse("Нет, не вызывает.", YES_NO)).rule()).isEqualTo(Rule.YES_NO);
    }

    @Test
    void targetPhraseWinsOverLettersMentionedInTheRationale() {
        String output = "###Rationale: Option A is correct for adults, and the answer is not C. Answer: D is wrong."
                + "\n###Answer: OPTION B IS CORRECT.</s>";
        assertThat(parser.parse(output, FOUR)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactly("B"));
    }

    @Test
    void anInvalidOccurrenceGivesWayToALaterValidOne() {
        assertThat(parser.parse("Answer: F. Sorry, Answer: C", FOUR)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactly("C"));
    }

    @Test
    void aQuestionIsRightOnlyWhenThePredictedSetEqualsTheGoldSet() {
        ParsedAnswer ac = parser.parse("###Answer: OPTION A,C IS CORRECT.", FIVE);
        assertThat(ac.matches(Set.of("A", "C"))).isTrue();
        assertThat(ac.matches(Set.of("A", "C", "D"))).isFalse();
        assertThat(ac.matches(Set.of("A"))).isFalse();
        assertThat(parser.parse("nothing", FIVE).matches(Set.of("A"))).isFalse();
    }

    @Test
    void optionTextsSharedByTwoOptionsAreNotGuessed() {
        Map<String, String> twins = options("A", "Aspirin", "B", "aspirin", "C", "Heparin");
        assertThat(parser.parse("Aspirin", twins)).isInstanceOf(Unparseable.class);
        assertThat(parser.parse("Heparin", twins)).isInstanceOfSatisfying(Chosen.class,
                chosen -> assertThat(chosen.keys()).containsExactly("C"));
    }

    private Rule rule(String output) {
        return ((Chosen) parser.parse(output, FOUR)).rule();
    }

    private static Map<String, String> options(String... keysAndTexts) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTexts.length; i += 2) {
            options.put(keysAndTexts[i], keysAndTexts[i + 1]);
        }
        return options;
    }
}
