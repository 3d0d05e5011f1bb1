package io.mmedstream.filter.config;

import java.util.List;
import java.util.Map;

import io.mmedstream.filter.service.FilterSettings;
import io.mmedstream.filter.service.QualitySettings;
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

    /** Quality rules (Gopher/C4 style). */
    Quality quality();

    /** Masking of personal data in accepted documents. */
    Pii pii();

    /** Where decisions and failures go. */
    Output output();

    /** What happens when a batch's transaction aborts. */
    Retry retry();

    /** Re-reading a batch whose transaction aborted. */
    interface Retry {
        /** Wait before the batch is read again, doubled after each abort in a row; default 1s. */
        @WithDefault("1s")
        java.time.Duration backoff();

        /** Longest wait; default 30s. */
        @WithDefault("30s")
        java.time.Duration maxBackoff();
    }

    /** Language identification (Lingua, restricted to the configured and the "other" languages). */
    interface LanguageDetection {

        /**
         * Languages the detector also knows so that texts in them are recognised as "other" (language_unsupported)
         * instead of being mistaken for a close configured language; each costs detection time. Default:
         * {@code de,it,pt,nl,pl,ca,tr,vi,id,uk,bg}.
         */
        @WithDefault("de,it,pt,nl,pl,ca,tr,vi,id,uk,bg")
        List<String> otherLanguages();

        /**
         * Code points read from the start of a document to identify its language (Lingua's time grows with it).
         * Default: {@code 600}.
         */
        @WithDefault("600")
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

        /**
         * Lingua first reads only this many code points of the sample and decides on them when the margin is at
         * least {@code quick-min-confidence}; otherwise it reads the whole sample. {@code 0}: always the whole
         * sample. Default: {@code 200}.
         */
        @WithDefault("200")
        int quickChars();

        /**
         * Smallest margin of the first look that decides (never less than {@code min-confidence}). Default:
         * {@code 0.06}.
         */
        @WithDefault("0.06")
        double quickMinConfidence();

        /**
         * Decide clear cases by function words that only one of the known languages has (the, which, were; dans,
         * avec, été), before Lingua is asked; off when a configured or other language has no function-word list.
         * Default: {@code true}.
         */
        @WithDefault("true")
        boolean functionWords();
    }

    /** Medical relevance. */
    interface Relevance {

        /**
         * Relevance method and lexicon set, resources {@code lexicons/<mode>/}: {@code lexical-v2} (weighted,
         * stem-aware term lists and clinical patterns) or {@code mmedc} (the paper's keyword count and density).
         * Default: {@code lexical-v2}.
         */
        @WithDefault(FilterSettings.DEFAULT_RELEVANCE_MODE)
        String mode();

        /**
         * mmedc only: per-language override of the minimum number of distinct keywords, e.g.
         * {@code mmed.filter.relevance.min-keywords.en=6}. Default: none (each lexicon's header value).
         */
        Map<String, Integer> minKeywords();

        /**
         * Per-language override of the minimum density of the mode (mmedc: keyword density; lexical-v2: weighted
         * term density), e.g. {@code mmed.filter.relevance.min-density.ru=0.03}. Default: none (each lexicon's
         * header value).
         */
        Map<String, Double> minDensity();

        /**
         * lexical-v2 only: per-language override of the minimum evidence (sum of the weights of the distinct terms
         * and clinical patterns found), e.g. {@code mmed.filter.relevance.min-evidence.fr=5}. Default: none (each
         * term list's header value).
         */
        Map<String, Double> minEvidence();
    }

    /** Quality rules; each failing rule adds its {@code quality_*} reason. Defaults: {@link QualitySettings}. */
    interface Quality {

        /** Whether the quality rules decide at all. Default: {@code true}. */
        @WithDefault("true")
        boolean enabled();

        /** Fewer words (zh/ja: letters) is quality_too_few_words. Default: {@code 15}. */
        @WithDefault("15")
        int minWords();

        /** More words (zh/ja: letters) is quality_too_long. Default: {@code 100000}. */
        @WithDefault("100000")
        int maxWords();

        /** Shorter mean word length is quality_word_length (not zh/ja). Default: {@code 3.0}. */
        @WithDefault("3.0")
        double minMeanWordLength();

        /** Longer mean word length is quality_word_length (not zh/ja). Default: {@code 12.0}. */
        @WithDefault("12.0")
        double maxMeanWordLength();

        /** Larger share of symbol characters among non-space ones is quality_symbol_ratio. Default: {@code 0.10}. */
        @WithDefault("0.10")
        double maxSymbolRatio();

        /** More "#" and ellipses per word is quality_symbol_ratio. Default: {@code 0.10}. */
        @WithDefault("0.10")
        double maxHashEllipsisRatio();

        /** Larger share of digits among non-space characters is quality_digit_ratio. Default: {@code 0.30}. */
        @WithDefault("0.30")
        double maxDigitRatio();

        /** Smaller share of words holding a letter is quality_alpha_words (not zh/ja). Default: {@code 0.60}. */
        @WithDefault("0.60")
        double minAlphaWordShare();

        /** Fewer function words of the language is quality_no_stopwords. Default: {@code 2}. */
        @WithDefault("2")
        int minStopwords();

        /** The line-share rules (bullets, ellipses, duplicate lines) need this many lines. Default: {@code 4}. */
        @WithDefault("4")
        int minLinesForLineRules();

        /** Larger share of bullet lines is quality_bullet_lines. Default: {@code 0.90}. */
        @WithDefault("0.90")
        double maxBulletLineShare();

        /** Larger share of lines ending with an ellipsis is quality_ellipsis_lines. Default: {@code 0.30}. */
        @WithDefault("0.30")
        double maxEllipsisLineShare();

        /** Larger share of characters in boilerplate lines is quality_boilerplate. Default: {@code 0.30}. */
        @WithDefault("0.30")
        double maxBoilerplateShare();

        /** Larger share of repeated lines is quality_repetition. Default: {@code 0.30}. */
        @WithDefault("0.30")
        double maxDupLineShare();

        /** Larger share of characters in repeated lines is quality_repetition. Default: {@code 0.20}. */
        @WithDefault("0.20")
        double maxDupLineCharShare();

        /** Larger share of repeated paragraphs is quality_repetition. Default: {@code 0.30}. */
        @WithDefault("0.30")
        double maxDupParagraphShare();

        /** Larger share of characters in repeated paragraphs is quality_repetition. Default: {@code 0.20}. */
        @WithDefault("0.20")
        double maxDupParagraphCharShare();

        /**
         * For n = 2, 3, 4: largest share of characters in the most frequent n-gram, else quality_repetition.
         * Default: {@code 0.20,0.18,0.16}.
         */
        @WithDefault("0.20,0.18,0.16")
        List<Double> maxTopNgramShares();

        /**
         * For n = 5 .. 10: largest share of characters in repeated n-grams, else quality_repetition. Default:
         * {@code 0.15,0.14,0.13,0.12,0.11,0.10}.
         */
        @WithDefault("0.15,0.14,0.13,0.12,0.11,0.10")
        List<Double> maxDupNgramShares();

        /**
         * The n-gram repetition rules apply from this many words (zh/ja: this many x cjk-ngram-scale letters).
         * Default: {@code 50}.
         */
        @WithDefault("50")
        int minWordsForNgramRules();

        /** For zh/ja, an n-word n-gram is an (n x scale)-character n-gram. Default: {@code 3}. */
        @WithDefault("3")
        int cjkNgramScale();
    }

    /** Masking of personal data (e-mail, phone, IP, long identifier numbers) in accepted documents. */
    interface Pii {

        /** Whether accepted texts are masked. Default: {@code true}. */
        @WithDefault("true")
        boolean enabled();

        /** A run of at least this many digits (not part of a decimal) is an identifier. Default: {@code 9}. */
        @WithDefault("9")
        int minIdDigits();
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
                language().minKanaShare(), language().lowAccuracy(), language().quickChars(),
                language().quickMinConfidence(), language().functionWords(), relevance().mode(),
                relevance().minKeywords(), relevance().minDensity(), relevance().minEvidence(),
                new QualitySettings(quality().enabled(), quality().minWords(), quality().maxWords(),
                        quality().minMeanWordLength(), quality().maxMeanWordLength(), quality().maxSymbolRatio(),
                        quality().maxHashEllipsisRatio(), quality().maxDigitRatio(), quality().minAlphaWordShare(),
                        quality().minStopwords(), quality().minLinesForLineRules(), quality().maxBulletLineShare(),
                        quality().maxEllipsisLineShare(), quality().maxBoilerplateShare(),
                        quality().maxDupLineShare(), quality().maxDupLineCharShare(),
                        quality().maxDupParagraphShare(), quality().maxDupParagraphCharShare(),
                        quality().maxTopNgramShares(), quality().maxDupNgramShares(),
                        quality().minWordsForNgramRules(), quality().cjkNgramScale()),
                pii().enabled(), pii().minIdDigits());
    }
}
