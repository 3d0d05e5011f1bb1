package io.mmedstream.tokenize.service;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of shards and of their files in the storage directory. A shard id is deterministic,
 * {@code <tokenizer>-p<partition, 3+ digits>-o<first offset, 12+ digits>}, so that recovery can tell from a file name
 * alone which partition and offsets it covers, and a shard re-made after a crash gets the id it would have had.
 */
public final class ShardNames {

    /** Token file suffix: little-endian uint32 token ids. */
    public static final String TOKENS = ".tokens";
    /** Index file suffix: little-endian int64 document end offsets. */
    public static final String INDEX = ".index";
    /** Per-document lines suffix. */
    public static final String DOCS = ".docs.jsonl";
    /** Manifest suffix; the manifest is the shard's commit marker. */
    public static final String MANIFEST = ".json";
    /** Folder under the storage directory where shards are assembled before they are renamed into place. */
    public static final String STAGING_DIR = ".staging";
    /** Folder under the storage directory holding each tokenizer used, by SHA-256. */
    public static final String TOKENIZERS_DIR = "tokenizers";

    private static final Pattern FILE = Pattern.compile(
            "(?<id>(?<tokenizer>[A-Za-z0-9][A-Za-z0-9._-]*)-p(?<partition>\\d{3,})-o(?<offset>\\d{12,}))"
                    + "(?<suffix>\\.tokens|\\.index|\\.docs\\.jsonl|\\.json)");
    private static final Pattern STAGED = Pattern.compile(
            "(?<id>(?<tokenizer>[A-Za-z0-9][A-Za-z0-9._-]*)-p(?<partition>\\d{3,})-o(?<offset>\\d{12,}))\\..+");

    private ShardNames() {
    }

    /** A file name that belongs to a shard, decoded. */
    public record ShardFile(String shardId, String tokenizer, int partition, long firstOffset, String suffix) {

        /** Whether this is the shard's manifest. */
        public boolean isManifest() {
            return MANIFEST.equals(suffix);
        }
    }

    /** The id of the shard of one partition that starts at an offset. */
    public static String shardId(String tokenizer, int partition, long firstOffset) {
        if (partition < 0 || firstOffset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0: " + partition + ", " + firstOffset);
        }
        return String.format("%s-p%03d-o%012d", tokenizer, partition, firstOffset);
    }

    /** Decodes a file name of the storage directory; empty when it is not a shard file. */
    public static Optional<ShardFile> parse(String fileName) {
        return decode(FILE.matcher(fileName), true);
    }

    /** Decodes a staging folder name ({@code <shard_id>.<random>}); empty when it is not one. */
    public static Optional<ShardFile> parseStaged(String name) {
        return decode(STAGED.matcher(name), false);
    }

    private static Optional<ShardFile> decode(Matcher m, boolean withSuffix) {
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ShardFile(m.group("id"), m.group("tokenizer"),
                    Integer.parseInt(m.group("partition")), Long.parseLong(m.group("offset")),
                    withSuffix ? m.group("suffix") : null));
        } catch (NumberFormatException e) {
            return Optional.empty(); // absurdly many digits: not ours
        }
    }
}
