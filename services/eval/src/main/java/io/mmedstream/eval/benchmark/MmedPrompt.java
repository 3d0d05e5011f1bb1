package io.mmedstream.eval.benchmark;

import java.util.Map;

/**
 * The exact MMedBench prompt and target of REFERENCE §2 (Alpaca style), with and without rationale. Every string
 * here is part of the benchmark's definition: a changed space changes what the model sees, so tests compare whole
 * prompts character by character.
 */
public final class MmedPrompt {

    /** The frame's text before the instruction. */
    static final String FRAME_HEAD = "Below is an instruction that describes a task, paired with an input that provides"
            + " further context. Write a response that appropriately completes the request.\n\n### Instruction:\n";
    /** Between the instruction and the input. */
    static final String FRAME_INPUT = "\n\n### Input:\n";
    /** After the input: the model's response starts right after it. */
    static final String FRAME_RESPONSE = "\n\n### Response:";

    private MmedPrompt() {
    }

    /** The whole prompt for a question: frame, instruction (with or without rationale) and input. */
    public static String prompt(BenchmarkQuestion question, boolean withRationale) {
        return FRAME_HEAD + instruction(question.language(), withRationale) + FRAME_INPUT + input(question)
                + FRAME_RESPONSE;
    }

    /** The instruction for a language, asking for the answer directly or for a rationale first. */
    public static String instruction(Language language, boolean withRationale) {
        String lang = language.displayName();
        if (withRationale) {
            return "You're a " + lang + " doctor, kindly address the medical queries according to the patient's"
                    + " account in " + lang + ". Let's solve this step-by-step. You should first give the reason in "
                    + lang + " for your choice. Then you should give the right answer index of the question.";
        }
        return "You're a " + lang + " doctor, kindly address the medical queries according to the patient's account."
                + " Answer with the best option directly.";
    }

    /**
     * The input: {@code ###Question: {question} Which of the following is the best treatment for this patient?
     * ###Options: {options}}, the question and option texts verbatim.
     */
    public static String input(BenchmarkQuestion question) {
        return "###Question: " + question.question()
                + " Which of the following is the best treatment for this patient? ###Options: "
                + options(question.options());
    }

    /** Options as {@code "A. text B. text "}: each {@code "{key}. {text} "}, in key order, ending with a space. */
    public static String options(Map<String, String> options) {
        StringBuilder text = new StringBuilder();
        options.forEach((key, value) -> text.append(key).append(". ").append(value).append(' '));
        return text.toString();
    }

    /**
     * The fine-tuning target: {@code ###Answer: OPTION {answer_idx} IS CORRECT.}, preceded by
     * {@code ###Rationale: {rationale}\n} when with rationale. No end token: the tokenizer's EOS is the trainer's
     * business.
     */
    public static String target(BenchmarkQuestion question, boolean withRationale) {
        String answer = "###Answer: OPTION " + question.answerIdx() + " IS CORRECT.";
        return withRationale ? "###Rationale: " + question.rationale() + "\n" + answer : answer;
    }
}
