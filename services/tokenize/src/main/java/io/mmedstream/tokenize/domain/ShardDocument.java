package io.mmedstream.tokenize.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of a shard's {@code <shard_id>.docs.jsonl}: a document and where its tokens lie in the token file.
 *
 * @param docId the document id assigned by ingest
 * @param lang the document's language (ISO 639-1)
 * @param partition source partition (null when the shard was not made from a topic)
 * @param offset source offset of the document's record
 * @param tokenStart index of the document's first token in the token file
 * @param tokenCount tokens of the document, its trailing EOS included
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({ "doc_id", "lang", "partition", "offset", "token_start", "token_count" })
public record ShardDocument(
        @JsonProperty("doc_id") String docId,
        @JsonProperty("lang") String lang,
        @JsonProperty("partition") Integer partition,
        @JsonProperty("offset") long offset,
        @JsonProperty("token_start") long tokenStart,
        @JsonProperty("token_count") int tokenCount) {
}
