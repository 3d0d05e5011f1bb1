package io.mmedstream.eval.benchmark;

import java.util.Map;
import java.util.TreeMap;

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
        return prompt(question.language(), question.question(), question.options(), withRationale);
    }

    /**
     * The whole prompt for a question given by its parts, with no gold answer: what a served model is asked (the
     * inference service's Answer). The same text as {@link #prompt(BenchmarkQuestion, boolean)} for the same
     * question; options go in key order whatever the map's own order.
     */
    public static String prompt(Language language, String question, Map<String, String> options,
                                boolean withRationale) {
        return FRAME_HEAD + instruction(language, withRationale) + FRAME_INPUT + input(question, options)
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
        return input(question.question(), question.options());
    }

    /** {@link #input(BenchmarkQuestion)} for a question given by its text and options (put in key order). */
    public static String input(String question, Map<String, String> options) {
        return "###Question: " + question
                + " Which of the following is the best treatment for this patient? ###Options: "
                + options(new TreeMap<>(options));
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
