package io.mmedstream.filter.config;

import java.util.List;
import java.util.Map;

import io.mmedstream.filter.service.FilterSettings;
import io.mmedstream.proto.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The filter service's configuration, {@code mmed.filter.*} (environment: {@code MMED_FILTER_...}). The defaults
 * equal {@link FilterSettings#defaults()}, which the engine uses outside the service.
 */
@ConfigMapping(prefix = "mmed.filter")
public interface FilterConfig {

    /**
     * Languages kept for training, ISO 639-1; each needs a lexicon in the relevance set. Default:
     * {@code en,zh,ja,fr,ru,es}.
     */
    @WithDefault("en,zh,ja,fr,ru,es")
    List<String> languages();

    /**
     * Fewest Unicode code points a document may have; shorter ones are dropped as too_short without a language
     * guess. Default: {@code 50}.
     */
    @WithDefault("50")
    int minChars();

    /** Fewest letters a document may have (tables of figures have few); else too_short. Default: {@code 20}. */
    @WithDefault("20")
    int minLetters();

    /** Language identification. */
    LanguageDetection language();

    /** Medical relevance. */
    Relevance relevance();

    /** Where decisions and failures go. */
    Output output();

    /** Language identification (Lingua, restricted to the configured and the "other" languages). */
    interface LanguageDetection {

        /**
         * Languages the detector also knows so that texts in them are recognised as "other" (language_unsupported)
         * instead of being mistaken for a close configured language; each costs detection time. Default:
         * {@code de,it,pt,nl,pl,ca,tr,vi,id,uk,bg}.
         */
        @WithDefault("de,it,pt,nl,pl,ca,tr,vi,id,uk,bg")
        List<String> otherLanguages();

        /** Code points read from the start of a document to identify its language. Default: {@code 2000}. */
        @WithDefault("2000")
        int maxChars();

        /**
         * Smallest margin between the best and second-best language's relative confidence (lang_confidence) that
         * is trusted; below it the declared language decides if it is one of the two, else the document is
         * "other". Default: {@code 0.02}.
         */
        @WithDefault("0.02")
        double minConfidence();

        /**
         * CJK text is Japanese when kana are at least this share of its CJK letters, else Chinese. Default:
         * {@code 0.05}.
         */
        @WithDefault("0.05")
        double minKanaShare();

        /**
         * Lingua's low-accuracy mode: trigrams only, less memory, weaker below about 120 characters. Default:
         * {@code false}.
         */
        @WithDefault("false")
        boolean lowAccuracy();
    }

    /** Medical relevance: the paper's keyword count and density test. */
    interface Relevance {

        /** Relevance method and lexicon set, resources {@code lexicons/<mode>/}. Default: {@code mmedc}. */
        @WithDefault("mmedc")
        String mode();

        /**
         * Per-language override of the minimum number of distinct keywords, e.g.
         * {@code mmed.filter.relevance.min-keywords.en=6}. Default: none (each lexicon's header value).
         */
        Map<String, Integer> minKeywords();

        /**
         * Per-language override of the minimum keyword density, e.g.
         * {@code mmed.filter.relevance.min-density.ru=0.03}. Default: none (each lexicon's header value).
         */
        Map<String, Double> minDensity();
    }

    /** Outputs besides the accepted and dropped topics of the contract. */
    interface Output {

        /**
         * Dead-letter topic for records of the ingested topic that are not a readable DocumentIngested (and other
         * permanent per-record failures): the original key and value with dead-letter-* headers. Default:
         * {@code mmed.docs.filter-dlq.v1}.
         */
        @WithDefault(Topics.DOCS_FILTER_DLQ)
        String deadLetterTopic();

        /**
         * Whether DocumentDropped carries the document's text, so that a later filter version can reconsider it.
         * Default: {@code true}.
         */
        @WithDefault("true")
        boolean keepDroppedText();
    }

    /** The engine settings this configuration describes. */
    default FilterSettings toSettings() {
        return new FilterSettings(languages(), language().otherLanguages(), minChars(), minLetters(),
                language().maxChars(), language().minConfidence(),
                language().minKanaShare(), language().lowAccuracy(), relevance().mode(),
                relevance().minKeywords(), relevance().minDensity());
    }
}
