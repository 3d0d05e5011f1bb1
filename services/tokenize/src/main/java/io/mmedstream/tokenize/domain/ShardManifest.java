package io.mmedstream.tokenize.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The manifest of a training shard, {@code <shard_id>.json}: what the shard holds and how to read it. A shard exists
 * exactly when its manifest exists; the manifest is written last. The format is described in SHARD-FORMAT.md of this
 * service; field names are snake_case on disk.
 *
 * @param format constant {@value #FORMAT}
 * @param formatVersion version of the on-disk layout, {@value #FORMAT_VERSION}
 * @param shardId the shard id, also the stem of every file of the shard
 * @param createdAt when the shard was written (ISO-8601 UTC)
 * @param tokenizerName short tokenizer name, e.g. internlm2
 * @param tokenizerSha256 SHA-256 of the tokenizer.json that produced the ids
 * @param tokenizerPath where that tokenizer.json lies, relative to the storage directory
 * @param eosId id of the EOS token that ends every document
 * @param dtype element type of the token file: uint32, little-endian
 * @param indexDtype element type of the index file: int64, little-endian
 * @param seqLen training sequence length the shard is packed for
 * @param tokenCount tokens in the token file, one EOS per document included
 * @param documentCount documents in the shard
 * @param sequenceCount ceil(token_count / seq_len); all sequences but the last hold seq_len tokens
 * @param tokensPerLang tokens (EOS included) per language
 * @param docsPerLang documents per language
 * @param tokensFile file name of the token file
 * @param indexFile file name of the document end index
 * @param docsFile file name of the per-document lines
 * @param tokensSha256 SHA-256 of the token file
 * @param indexSha256 SHA-256 of the index file
 * @param docsSha256 SHA-256 of the docs file
 * @param sourceTopic topic the documents were read from (null when not made from a topic)
 * @param sourcePartition partition they were read from (null when not made from a topic)
 * @param consumerGroup consumer group that committed the shard (null when not made from a topic)
 * @param firstOffset source offset of the first document
 * @param lastOffset source offset of the last document
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({ "format", "format_version", "shard_id", "created_at", "tokenizer_name", "tokenizer_sha256",
        "tokenizer_path", "eos_id", "dtype", "index_dtype", "seq_len", "token_count", "document_count",
        "sequence_count", "tokens_per_lang", "docs_per_lang", "tokens_file", "index_file", "docs_file",
        "tokens_sha256", "index_sha256", "docs_sha256", "source_topic", "source_partition", "consumer_group",
        "first_offset", "last_offset" })
public record ShardManifest(
        @JsonProperty("format") String format,
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("shard_id") String shardId,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("tokenizer_name") String tokenizerName,
        @JsonProperty("tokenizer_sha256") String tokenizerSha256,
        @JsonProperty("tokenizer_path") String tokenizerPath,
        @JsonProperty("eos_id") int eosId,
        @JsonProperty("dtype") String dtype,
        @JsonProperty("index_dtype") String indexDtype,
        @JsonProperty("seq_len") int seqLen,
        @JsonProperty("token_count") long tokenCount,
        @JsonProperty("document_count") int documentCount,
        @JsonProperty("sequence_count") int sequenceCount,
        @JsonProperty("tokens_per_lang") Map<String, Long> tokensPerLang,
        @JsonProperty("docs_per_lang") Map<String, Integer> docsPerLang,
        @JsonProperty("tokens_file") String tokensFile,
        @JsonProperty("index_file") String indexFile,
        @JsonProperty("docs_file") String docsFile,
        @JsonProperty("tokens_sha256") String tokensSha256,
        @JsonProperty("index_sha256") String indexSha256,
        @JsonProperty("docs_sha256") String docsSha256,
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("source_partition") Integer sourcePartition,
        @JsonProperty("consumer_group") String consumerGroup,
        @JsonProperty("first_offset") long firstOffset,
        @JsonProperty("last_offset") long lastOffset) {

    /** Value of {@code format}. */
    public static final String FORMAT = "mmed-shard";
    /** The layout version this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    public static final String DTYPE = "uint32";
    public static final String INDEX_DTYPE = "int64";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The manifest as pretty-printed UTF-8 JSON. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the manifest of " + shardId, e);
        }
    }

    /** Reads a manifest file. */
    public static ShardManifest read(Path file) throws IOException {
        ShardManifest manifest = JSON.readValue(Files.readAllBytes(file), ShardManifest.class);
        if (!FORMAT.equals(manifest.format()) || manifest.formatVersion() != FORMAT_VERSION) {
            throw new IOException(file + " is not a " + FORMAT + " v" + FORMAT_VERSION + " manifest (format "
                    + manifest.format() + " v" + manifest.formatVersion() + ")");
        }
        return manifest;
    }
}
