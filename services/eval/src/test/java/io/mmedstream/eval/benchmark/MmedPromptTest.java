package io.mmedstream.eval.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MmedPromptTest {

    /** A record written for this test: option texts keep their odd spacing, since the prompt must too. */
    private static final BenchmarkQuestion QUESTION = new BenchmarkQuestion(Language.FRENCH, 0,
            "Parmi les propositions suivantes, laquelle (lesquelles) est (sont) exacte(s) ?",
            Map.of("A", "Le foie", "B", " La rate ", "C", "Le rein"),
            Set.of("A", "C"), "Le foie et le rein filtrent le sang.", true, true);

    @Test
    void promptWithoutRationaleIsExactlyTheReferenceText() {
        String expected = "Below is an instruction that describes a task, paired with an input that provides further"
                + " context. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\n"
                + "You're a French doctor, kindly address the medical queries according to the patient's account."
                + " Answer with the best option directly.\n\n"
                + "### Input:\n"
                + "###Question: Parmi les propositions suivantes, laquelle (lesquelles) est (sont) exacte(s) ?"
                + " Which of the following is the best treatment for this patient? ###Options: "
                + "A. Le foie " + "B.  La rate  " + "C. Le rein " + "\n\n"
                + "### Response:";
        assertThat(MmedPrompt.prompt(QUESTION, false)).isEqualTo(expected);
    }

    @Test
    void promptFromPartsWithoutAGoldAnswerIsTheSameText() {
        // Options in reverse order: the prompt puts them in key order all the same.
        Map<String, String> reversed = new java.util.LinkedHashMap<>();
        reversed.put("C", "Le rein");
        reversed.put("B", " La rate ");
        reversed.put("A", "Le foie");
        for (boolean withRationale : new boolean[] {false, true}) {
            assertThat(MmedPrompt.prompt(Language.FRENCH, QUESTION.question(), reversed, withRationale))
                    .isEqualTo(MmedPrompt.prompt(QUESTION, withRationale));
        }
        assertThat(MmedPrompt.input(QUESTION.question(), reversed)).isEqualTo(MmedPrompt.input(QUESTION));
    }

    @Test
    void promptWithRationaleIsExactlyTheReferenceText() {
        String expected = "Below is an instruction that describes a task, paired with an input that provides further"
                + " context. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\n"
                + "You're a French doctor, kindly address the medical queries according to the patient's account in"
                + " French. Let's solve this step-by-step. You should first give the reason in French for your"
                + " choice. Then you should give the right answer index of the question.\n\n"
                + "### Input:\n"
                + "###Question: Parmi les propositions suivantes, laquelle (lesquelles) est (sont) exacte(s) ?"
                + " Which of the following is the best treatment for this patient? ###Options: "
                + "A. Le foie B.  La rate  C. Le rein \n\n"
                + "### Response:";
        assertThat(MmedPrompt.prompt(QUESTION, true)).isEqualTo(expected);
    }

    @Test
    void targetNamesTheGoldOptionsAndOptionallyTheRationale() {
        assertThat(MmedPrompt.target(QUESTION, false)).isEqualTo("###Answer: OPTION A,C IS CORRECT.");
        assertThat(MmedPrompt.target(QUESTION, true)).isEqualTo(
                "###Rationale: Le foie et le rein filtrent le sang.\n###Answer: OPTION A,C IS CORRECT.");
    }

    @Test
    void instructionNamesTheLanguageAsTheBenchmarkDoes() {
        assertThat(MmedPrompt.instruction(Language.CHINESE, false)).startsWith("You're a Chinese doctor,");
        assertThat(MmedPrompt.instruction(Language.JAPANESE, true)).contains("the reason in Japanese for your choice");
    }
}
