package io.mmedstream.inference.service;

import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.mmedstream.eval.benchmark.MmedPrompt;
import io.mmedstream.eval.parse.AnswerParser;
import io.mmedstream.eval.parse.ModelOutput;
import io.mmedstream.eval.parse.ParsedAnswer;
import io.mmedstream.inference.domain.AnswerResult;
import io.mmedstream.inference.domain.GenerationSpec;
import io.mmedstream.inference.domain.QuestionSpec;

/**
 * Answers a multiple-choice question the way MMedBench asks it: the benchmark's exact prompt (eval's
 * {@link MmedPrompt}), greedy decoding, and eval's {@link AnswerParser} to read the chosen options, so an answer
 * here is scored exactly as an evaluation scores it.
 */
public final class AnswerService {

    private final GenerationService generations;
    private final AnswerParser parser = new AnswerParser();
    private final int maxTokens;
    private final int rationaleMaxTokens;

    public AnswerService(GenerationService generations, int maxTokens, int rationaleMaxTokens) {
        this.generations = generations;
        this.maxTokens = maxTokens;
        this.rationaleMaxTokens = rationaleMaxTokens;
    }

    /** The exact prompt for a question (a user's question has no gold answer, and the prompt never shows one). */
    public static String prompt(QuestionSpec q) {
        return MmedPrompt.prompt(q.language(), q.question(), q.options(), q.withRationale());
    }

    /** Asks the serving model; fails as {@link GenerationService#start} does. */
    public Answering ask(QuestionSpec q) {
        String prompt = prompt(q);
        GenerationSpec spec = new GenerationSpec(prompt, q.withRationale() ? rationaleMaxTokens : maxTokens, 0.0,
                1.0, List.of(), null);
        GenerationService.Running running = generations.start(spec, null);
        CompletableFuture<AnswerResult> result = running.result().thenApply(completion -> {
            String raw = completion.text();
            ParsedAnswer parsed = parser.parse(raw, q.options());
            String rationale = q.withRationale() ? ModelOutput.rationale(raw) : "";
            if (parsed instanceof ParsedAnswer.Chosen chosen) {
                return new AnswerResult(prompt, completion, chosen.keys(), chosen.rule().name(), "", rationale);
            }
            return new AnswerResult(prompt, completion, Collections.unmodifiableSortedSet(new TreeSet<>()), "",
                    ((ParsedAnswer.Unparseable) parsed).reason(), rationale);
        });
        return new Answering(running, result);
    }

    /** An answer under way; {@link #cancel()} stops its generation. */
    public record Answering(GenerationService.Running running, CompletableFuture<AnswerResult> result) {
        public void cancel() {
            running.cancel();
        }
    }
}
