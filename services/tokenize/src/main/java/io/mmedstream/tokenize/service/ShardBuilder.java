package io.mmedstream.tokenize.service;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.domain.ShardManifest;

/**
 * Packs tokenized documents into one training shard and writes it atomically.
 *
 * <p>Each document's tokens are followed by the EOS id and appended back to back, with no padding; a trainer cuts the
 * token stream into sequences of {@code seqLen} tokens (the last one may be shorter) and uses the document end index
 * to keep attention and loss inside documents. Documents are added in source order: offsets strictly increase.
 *
 * <p>{@link #writeTo(Path, String)} puts four files into the storage directory: {@code <id>.tokens},
 * {@code <id>.index}, {@code <id>.docs.jsonl}, then, last, the manifest {@code <id>.json}. Each is written and
 * fsynced in a staging folder and renamed into place; a shard exists exactly when its manifest does. Plain Java, not
 * thread-safe; one builder per shard.
 */
public final class ShardBuilder {

    private static final Pattern SHARD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    private final String tokenizerName;
    private final String tokenizerSha256;
    private final int eosId;
    private final int seqLen;

    private String sourceTopic;
    private Integer sourcePartition;
    private String consumerGroup;

    private int[] tokens = new int[4096];
    private int tokenCount;
    private final List<ShardDocument> documents = new ArrayList<>();
    private final Map<String, Long> tokensPerLang = new TreeMap<>();
    private final Map<String, Integer> docsPerLang = new TreeMap<>();
    private long firstOffset = -1;
    private long lastOffset = -1;

    /**
     * @param tokenizerName short tokenizer name recorded in the manifest
     * @param tokenizerSha256 SHA-256 of the tokenizer.json that produced the ids
     * @param eosId the id appended after every document
     * @param seqLen the training sequence length the shard is packed for
     */
    public ShardBuilder(String tokenizerName, String tokenizerSha256, int eosId, int seqLen) {
        if (tokenizerName == null || tokenizerName.isBlank() || tokenizerSha256 == null || tokenizerSha256.isBlank()) {
            throw new IllegalArgumentException("tokenizer name and SHA-256 are required");
        }
        if (eosId < 0) {
            throw new IllegalArgumentException("EOS id must be >= 0: " + eosId);
        }
        if (seqLen < 1) {
            throw new IllegalArgumentException("sequence length must be >= 1: " + seqLen);
        }
        this.tokenizerName = tokenizerName;
        this.tokenizerSha256 = tokenizerSha256;
        this.eosId = eosId;
        this.seqLen = seqLen;
    }

    /** A builder for the ids of this tokenizer. */
    public static ShardBuilder forTokenizer(ModelTokenizer tokenizer, int seqLen) {
        return new ShardBuilder(tokenizer.name(), tokenizer.sha256(), tokenizer.eosId(), seqLen);
    }

    /** Records where the documents come from: topic, partition and the consumer group that commits the shard. */
    public ShardBuilder source(String topic, int partition, String group) {
        this.sourceTopic = topic;
        this.sourcePartition = partition;
        this.consumerGroup = group;
        return this;
    }

    /**
     * Appends a document: its tokens, then EOS.
     *
     * @param docId document id
     * @param lang language code
     * @param sourceOffset offset of the document's record in its partition; greater than the previous document's
     * @param tokens the document's token ids, without special tokens
     */
    public void add(String docId, String lang, long sourceOffset, int[] tokens) {
        if (docId == null || docId.isBlank()) {
            throw new IllegalArgumentException("document id is required");
        }
        if (lang == null || lang.isBlank()) {
            throw new IllegalArgumentException("language is required for " + docId);
        }
        if (sourceOffset < 0 || sourceOffset <= lastOffset) {
            throw new IllegalArgumentException("offsets must increase: " + sourceOffset + " after " + lastOffset
                    + " (document " + docId + ")");
        }
        int added = tokens.length + 1;
        ensureCapacity((long) tokenCount + added);
        long start = tokenCount;
        System.arraycopy(tokens, 0, this.tokens, tokenCount, tokens.length);
        tokenCount += tokens.length;
        this.tokens[tokenCount++] = eosId;
        documents.add(new ShardDocument(docId, lang, sourcePartition, sourceOffset, start, added));
        tokensPerLang.merge(lang, (long) added, Long::sum);
        docsPerLang.merge(lang, 1, Integer::sum);
        if (firstOffset < 0) {
            firstOffset = sourceOffset;
        }
        lastOffset = sourceOffset;
    }

    /** Tokens so far, one EOS per document included. */
    public long tokenCount() {
        return tokenCount;
    }

    /** Documents so far. */
    public int documentCount() {
        return documents.size();
    }

    /** Training sequences the tokens so far make: ceil(tokens / seqLen). */
    public int sequenceCount() {
        return (int) ((tokenCount + (long) seqLen - 1) / seqLen);
    }

    public boolean isEmpty() {
        return documents.isEmpty();
    }

    /** Offset of the first document, or -1 when empty. */
    public long firstOffset() {
        return firstOffset;
    }

    /** Offset of the last document, or -1 when empty. */
    public long lastOffset() {
        return lastOffset;
    }

    /**
     * Writes the shard into a storage directory atomically: the data files first, the manifest last, each fsynced
     * and renamed into place. Files of an earlier attempt with the same id are replaced.
     *
     * @return the manifest written
     * @throws IllegalStateException when no document was added
     */
    public ShardManifest writeTo(Path storageDir, String shardId) throws IOException {
        if (isEmpty()) {
            throw new IllegalStateException("shard " + shardId + " has no documents");
        }
        if (shardId == null || !SHARD_ID.matcher(shardId).matches()) {
            throw new IllegalArgumentException("shard id must match " + SHARD_ID.pattern() + ": " + shardId);
        }
        Path staging = Files.createDirectories(storageDir.resolve(ShardNames.STAGING_DIR));
        Path work = Files.createTempDirectory(staging, shardId + ".");
        try {
            String tokensFile = shardId + ShardNames.TOKENS;
            String indexFile = shardId + ShardNames.INDEX;
            String docsFile = shardId + ShardNames.DOCS;
            String manifestFile = shardId + ShardNames.MANIFEST;
            String tokensSha = writeTokens(work.resolve(tokensFile));
            String indexSha = writeIndex(work.resolve(indexFile));
            String docsSha = writeDocs(work.resolve(docsFile));
            ShardManifest manifest = manifest(shardId, tokensFile, indexFile, docsFile, tokensSha, indexSha, docsSha);
            writeDurably(work.resolve(manifestFile), manifest.toJson());
            Durable.fsyncDirectory(work);

            for (String file : List.of(tokensFile, indexFile, docsFile)) {
                Durable.rename(work.resolve(file), storageDir.resolve(file));
            }
            // The data files' names must be on disk before the manifest's: after a crash, a manifest never points
            // at files that are missing.
            Durable.fsyncDirectory(storageDir);
            Durable.rename(work.resolve(manifestFile), storageDir.resolve(manifestFile));
            Durable.fsyncDirectory(storageDir);
            return manifest;
        } finally {
            Durable.deleteTree(work);
        }
    }

    private ShardManifest manifest(String shardId, String tokensFile, String indexFile, String docsFile,
            String tokensSha, String indexSha, String docsSha) {
        return new ShardManifest(ShardManifest.FORMAT, ShardManifest.FORMAT_VERSION, shardId,
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), tokenizerName, tokenizerSha256,
                ShardNames.TOKENIZERS_DIR + "/" + tokenizerSha256 + "/" + ModelTokenizer.TOKENIZER_JSON, eosId,
                ShardManifest.DTYPE, ShardManifest.INDEX_DTYPE, seqLen, tokenCount, documents.size(), sequenceCount(),
                new TreeMap<>(tokensPerLang), new TreeMap<>(docsPerLang), tokensFile, indexFile, docsFile,
                tokensSha, indexSha, docsSha, sourceTopic, sourcePartition, consumerGroup, firstOffset, lastOffset);
    }

    private String writeTokens(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < tokenCount; i++) {
                if (buffer.remaining() < Integer.BYTES) {
                    drain(buffer, channel, digest);
                }
                buffer.putInt(tokens[i]);
            }
            drain(buffer, channel, digest);
            channel.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String writeIndex(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (ShardDocument doc : documents) {
                if (buffer.remaining() < Long.BYTES) {
                    drain(buffer, channel, digest);
                }
                buffer.putLong(doc.tokenStart() + doc.tokenCount());
            }
            drain(buffer, channel, digest);
            channel.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String writeDocs(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest);
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    WRITE_BUFFER_BYTES);
            for (ShardDocument doc : documents) {
                // The partition as set by source(), whether that came before or after the document was added.
                ShardDocument line = new ShardDocument(doc.docId(), doc.lang(), sourcePartition, doc.offset(),
                        doc.tokenStart(), doc.tokenCount());
                writer.write(JSON.writeValueAsString(line));
                writer.write('\n');
            }
            writer.flush();
            channel.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void drain(ByteBuffer buffer, FileChannel channel, MessageDigest digest) throws IOException {
        buffer.flip();
        digest.update(buffer.array(), 0, buffer.limit());
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private void ensureCapacity(long needed) {
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a shard holds at most " + (Integer.MAX_VALUE - 8) + " tokens");
        }
        if (needed > tokens.length) {
            long grown = Math.max(needed, (long) tokens.length * 2);
            tokens = Arrays.copyOf(tokens, (int) Math.min(grown, Integer.MAX_VALUE - 8));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
