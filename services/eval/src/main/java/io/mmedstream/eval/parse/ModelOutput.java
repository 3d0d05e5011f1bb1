package io.mmedstream.eval.parse;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model output as the scorer reads it: without chat-template and end-of-sequence tokens, without what the model
 * generated after its answer ended, and split into rationale and answer.
 */
public final class ModelOutput {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    /** End-of-sequence and chat-template tokens of common model families. */
    private static final Pattern SPECIAL_TOKEN = Pattern.compile(
            "</s>|<s>|<\\|[A-Za-z0-9_.\\-]{1,40}\\|>|</?(?:eos|bos|pad|end_of_turn|start_of_turn)>", FLAGS);
    /** A model that keeps generating starts a new prompt: nothing from there on answers this question. */
    private static final Pattern RUN_ON = Pattern.compile(
            "###\\s*(?:Instruction|Input|Question)\\b|Below is an instruction that describes", FLAGS);
    private static final Pattern ANSWER_TAG = Pattern.compile("#{2,}\\s*answer", FLAGS);
    private static final Pattern RATIONALE_TAG = Pattern.compile("^#{2,}\\s*rationale\\s*:?", FLAGS);

    private ModelOutput() {
    }

    /**
     * The output in Unicode NFKC (full-width letters and colons become ASCII), without leading special tokens, cut at
     * the first special token after them ({@code </s>}, {@code <|im_end|>}, {@code <|eot_id|>}, {@code <eos>}, ...:
     * the model's turn ended there) and at a run-on into a new prompt ({@code ### Instruction}, {@code ###Question},
     * ...), stripped. Null reads as empty.
     */
    public static String clean(String output) {
        if (output == null) {
            return "";
        }
        String text = Normalizer.normalize(output, Normalizer.Form.NFKC);
        Matcher special = SPECIAL_TOKEN.matcher(text);
        int start = 0;
        while (true) {
            int next = start;
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                next++;
            }
            if (next < text.length() && special.region(next, text.length()).lookingAt()) {
                start = special.end();
            } else {
                break;
            }
        }
        text = text.substring(start);
        special = SPECIAL_TOKEN.matcher(text);
        if (special.find()) {
            text = text.substring(0, special.start());
        }
        Matcher runOn = RUN_ON.matcher(text);
        if (runOn.find()) {
            text = text.substring(0, runOn.start());
        }
        return text.strip();
    }

    /**
     * The rationale of an output in the with-rationale format ({@code ###Rationale: ...\n###Answer: OPTION B IS
     * CORRECT.}): the {@link #clean cleaned} text before the first {@code ###Answer}, without a leading
     * {@code ###Rationale:} tag. An output without an {@code ###Answer} tag is all rationale.
     */
    public static String rationale(String output) {
        String text = clean(output);
        Matcher answer = ANSWER_TAG.matcher(text);
        if (answer.find()) {
            text = text.substring(0, answer.start());
        }
        return RATIONALE_TAG.matcher(text.strip()).replaceFirst("").strip();
    }
}
