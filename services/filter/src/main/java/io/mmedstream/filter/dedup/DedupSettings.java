package io.mmedstream.filter.dedup;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.mmedstream.proto.Topics;

/**
 * Everything the deduplication step needs, as plain values: the service builds it from {@link DedupConfig}
 * ({@code mmed.filter.dedup.*}), tests, the evaluation and the benchmark from {@link #defaults()}.
 *
 * @param exactEnabled   drop documents whose doc_id (the hash of the normalised text) was already accepted
 * @param nearEnabled    drop documents whose MinHash signature matches an accepted document's
 * @param exactTopic     compacted changelog of the exact state, co-partitioned with mmed.docs.ingested.v1
 * @param minhashTopic   compacted topic of the accepted documents' signatures, co-partitioned likewise
 * @param wordShingle    words per shingle for languages written with spaces
 * @param charShingle    characters per shingle for {@code charLanguages}
 * @param charLanguages  languages shingled by characters (written without spaces)
 * @param bands          LSH bands
 * @param rows           MinHash values per band; bands x rows is the signature length
 * @param threshold      smallest estimated Jaccard similarity (share of equal signature values) that makes an LSH
 *                       candidate a near duplicate
 * @param restoreTimeout longest wait for the state topics to be read before a batch is decided; past it the batch's
 *                       transaction aborts and the batch is read again
 */
public record DedupSettings(boolean exactEnabled, boolean nearEnabled, String exactTopic, String minhashTopic,
        int wordShingle, int charShingle, Set<String> charLanguages, int bands, int rows, double threshold,
        Duration restoreTimeout) {

    public static final int DEFAULT_WORD_SHINGLE = 5;
    public static final int DEFAULT_CHAR_SHINGLE = 5;
    public static final List<String> DEFAULT_CHAR_LANGUAGES = List.of("zh", "ja");
    public static final int DEFAULT_BANDS = 14;
    public static final int DEFAULT_ROWS = 8;
    /** See README "Deduplication": 0.8 would lose about half of the pairs whose true similarity is exactly 0.8. */
    public static final double DEFAULT_THRESHOLD = 0.7;
    public static final Duration DEFAULT_RESTORE_TIMEOUT = Duration.ofMinutes(2);
    /**
     * Seed of the MinHash permutations. Part of the signature scheme: signatures made with another seed (or other
     * shingle sizes, bands or rows) cannot be compared, and entries of another scheme are ignored when the state is
     * read.
     */
    public static final long SEED = 0x6d6d6564_64656475L;

    public DedupSettings {
        Objects.requireNonNull(exactTopic, "exactTopic");
        Objects.requireNonNull(minhashTopic, "minhashTopic");
        Objects.requireNonNull(restoreTimeout, "restoreTimeout");
        Set<String> langs = new TreeSet<>();
        for (String l : charLanguages) {
            langs.add(l.trim().toLowerCase(Locale.ROOT));
        }
        charLanguages = Set.copyOf(langs);
        if (wordShingle < 1 || charShingle < 1) {
            throw new IllegalArgumentException("shingle sizes must be >= 1, got words " + wordShingle + ", chars "
                    + charShingle);
        }
        if (bands < 1 || rows < 1 || (long) bands * rows > 1024) {
            throw new IllegalArgumentException("need 1 <= bands x rows <= 1024, got " + bands + " x " + rows);
        }
        if (!(threshold > 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("the near-duplicate threshold must be within (0, 1], got " + threshold);
        }
        if (restoreTimeout.isNegative() || restoreTimeout.isZero()) {
            throw new IllegalArgumentException("the restore timeout must be positive, got " + restoreTimeout);
        }
    }

    /** The defaults (FineWeb's: 5-word shingles, 14 bands x 8 hashes; 5-character shingles for zh and ja). */
    public static DedupSettings defaults() {
        return new DedupSettings(true, true, Topics.FILTER_DEDUP_EXACT, Topics.FILTER_DEDUP_MINHASH,
                DEFAULT_WORD_SHINGLE, DEFAULT_CHAR_SHINGLE, Set.copyOf(DEFAULT_CHAR_LANGUAGES), DEFAULT_BANDS,
                DEFAULT_ROWS, DEFAULT_THRESHOLD, DEFAULT_RESTORE_TIMEOUT);
    }

    /** These settings with another threshold (the evaluation compares thresholds). */
    public DedupSettings withThreshold(double newThreshold) {
        return new DedupSettings(exactEnabled, nearEnabled, exactTopic, minhashTopic, wordShingle, charShingle,
                charLanguages, bands, rows, newThreshold, restoreTimeout);
    }

    /** These settings with another banding (same total signature length or not). */
    public DedupSettings withBands(int newBands, int newRows) {
        return new DedupSettings(exactEnabled, nearEnabled, exactTopic, minhashTopic, wordShingle, charShingle,
                charLanguages, newBands, newRows, threshold, restoreTimeout);
    }

    /** Signature length: bands x rows. */
    public int numHashes() {
        return bands * rows;
    }

    /**
     * Names the signature scheme, e.g. {@code minhash1-w5-c5[ja,zh]-14x8}: signatures are comparable only under the
     * same scheme. The threshold is not part of it (it applies when comparing).
     */
    public String scheme() {
        return "minhash1-w" + wordShingle + "-c" + charShingle + String.join(",", new TreeSet<>(charLanguages))
                .transform(s -> "[" + s + "]") + "-" + bands + "x" + rows + "-s" + Long.toHexString(SEED);
    }
}
