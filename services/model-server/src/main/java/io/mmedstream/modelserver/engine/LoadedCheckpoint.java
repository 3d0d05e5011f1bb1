package io.mmedstream.modelserver.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.modelserver.service.ModelServerException;

/**
 * A trainer checkpoint (a Hugging Face Llama directory) in memory and ready to generate: weights, tokenizer and the
 * end-of-sequence ids named by config.json, generation_config.json and tokenizer_config.json together. Close it to
 * free the native tokenizer.
 */
public final class LoadedCheckpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final CheckpointTokenizer tokenizer;
    private final TextGenerator generator;

    private LoadedCheckpoint(Path directory, CheckpointTokenizer tokenizer, TextGenerator generator) {
        this.directory = directory;
        this.tokenizer = tokenizer;
        this.generator = generator;
    }

    /**
     * Loads a checkpoint directory.
     *
     * @param maxContext tokens of context to allow; 0 or less means the model's max_position_embeddings
     */
    public static LoadedCheckpoint load(Path dir, ComputePool pool, int maxContext) {
        if (!Files.isDirectory(dir)) {
            throw ModelServerException.badModel(dir + " is not a checkpoint directory");
        }
        LlamaModel model = LlamaModel.load(dir, pool);
        CheckpointTokenizer tokenizer = CheckpointTokenizer.load(dir);
        try {
            Set<Integer> eos = new LinkedHashSet<>(model.config().eosTokenIds());
            Path generation = dir.resolve("generation_config.json");
            if (Files.isRegularFile(generation)) {
                eos.addAll(LlamaConfig.tokenIds(JSON.readTree(generation.toFile()).path("eos_token_id")));
            }
            eos.addAll(tokenizer.eosIds());
            int context = maxContext > 0 ? maxContext : model.config().maxPositionEmbeddings();
            return new LoadedCheckpoint(dir, tokenizer, new TextGenerator(model, tokenizer, eos, context));
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            if (e instanceof ModelServerException mse) {
                throw mse;
            }
            throw ModelServerException.badModel("cannot read " + dir.resolve("generation_config.json") + ": "
                    + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    public TextGenerator generator() {
        return generator;
    }

    public CheckpointTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
