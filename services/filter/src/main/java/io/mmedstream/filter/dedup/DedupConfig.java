package io.mmedstream.filter.dedup;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.mmedstream.proto.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The deduplication step's configuration, {@code mmed.filter.dedup.*} (environment {@code MMED_FILTER_DEDUP_...}).
 * The defaults equal {@link DedupSettings#defaults()}.
 */
@ConfigMapping(prefix = "mmed.filter.dedup")
public interface DedupConfig {

    /**
     * Longest wait for the dedup state topics to be read (at startup, and when a partition is newly assigned) before
     * a batch is decided; past it the batch's transaction aborts and the batch is read again. Default: {@code PT2M}.
     */
    @WithDefault("PT2M")
    Duration restoreTimeout();

    /** Exact duplicates: the same normalised text (the same doc_id). */
    Exact exact();

    /** Near duplicates: MinHash LSH. */
    Near near();

    /** Exact deduplication. */
    interface Exact {

        /**
         * Whether a document whose doc_id was already accepted is dropped as duplicate_exact. Default: {@code true}.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Compacted changelog of the accepted doc_ids, with as many partitions as mmed.docs.ingested.v1. Default:
         * {@code mmed.filter.dedup-exact.v1}.
         */
        @WithDefault(Topics.FILTER_DEDUP_EXACT)
        String topic();
    }

    /** Near-duplicate detection. Changing a shingle size, the bands or the rows changes the signature scheme. */
    interface Near {

        /** Whether a near duplicate of an accepted document is dropped as duplicate_near. Default: {@code true}. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Compacted topic of the accepted documents' MinHash signatures, with as many partitions as
         * mmed.docs.ingested.v1. Default: {@code mmed.filter.dedup-minhash.v1}.
         */
        @WithDefault(Topics.FILTER_DEDUP_MINHASH)
        String topic();

        /** Words per shingle (languages written with spaces). Default: {@code 5}. */
        @WithDefault("5")
        int wordShingle();

        /** Characters per shingle for the char-languages. Default: {@code 5}. */
        @WithDefault("5")
        int charShingle();

        /** Languages shingled by characters rather than words. Default: {@code zh,ja}. */
        @WithDefault("zh,ja")
        List<String> charLanguages();

        /** LSH bands. Default: {@code 14}. */
        @WithDefault("14")
        int bands();

        /** MinHash values per band (signature length = bands x rows). Default: {@code 8}. */
        @WithDefault("8")
        int rows();

        /**
         * Smallest estimated Jaccard similarity (share of equal signature values) for an LSH candidate to count as a
         * near duplicate. Default: {@code 0.7}.
         */
        @WithDefault("0.7")
        double threshold();
    }

    /** The settings this configuration describes. */
    default DedupSettings toSettings() {
        return new DedupSettings(exact().enabled(), near().enabled(), exact().topic(), near().topic(),
                near().wordShingle(), near().charShingle(), Set.copyOf(near().charLanguages()), near().bands(),
                near().rows(), near().threshold(), restoreTimeout());
    }
}
