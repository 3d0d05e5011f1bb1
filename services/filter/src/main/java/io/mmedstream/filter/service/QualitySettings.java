package io.mmedstream.filter.service;

import java.util.List;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * Thresholds of the quality rules ({@link QualityRules}), in the style of Gopher (Rae et al. 2021) and C4 (Raffel et
 * al. 2020), loosened where real clinical text (short lines, lab values, abbreviations) would otherwise be dropped.
 * For Chinese and Japanese a "word" is a letter or digit (code point) and n-grams are of characters, with n scaled by
 * {@code cjkNgramScale}.
 *
 * @param enabled               whether the quality rules run at all
 * @param minWords              fewer words is {@code quality_too_few_words}
 * @param maxWords              more words is {@code quality_too_long}
 * @param minMeanWordLength     shorter mean word length (letters) is {@code quality_word_length} (not zh/ja)
 * @param maxMeanWordLength     longer mean word length is {@code quality_word_length} (not zh/ja)
 * @param maxSymbolRatio        larger share of symbol characters among non-space characters is
 *                              {@code quality_symbol_ratio}
 * @param maxHashEllipsisRatio  more "#" and ellipses per word is {@code quality_symbol_ratio} (Gopher's rule)
 * @param maxDigitRatio         larger share of digits among non-space characters is {@code quality_digit_ratio}
 * @param minAlphaWordShare     smaller share of words holding a letter is {@code quality_alpha_words} (not zh/ja)
 * @param minStopwords          fewer of the language's function words is {@code quality_no_stopwords}
 * @param minLinesForLineRules  the line-share rules (bullets, ellipses, duplicate lines) need this many lines
 * @param maxBulletLineShare    larger share of lines starting with a bullet is {@code quality_bullet_lines}
 * @param maxEllipsisLineShare  larger share of lines ending with an ellipsis is {@code quality_ellipsis_lines}
 * @param maxBoilerplateShare   larger share of characters in boilerplate lines (cookie banners, navigation,
 *                              sign-in prompts, copyright lines) is {@code quality_boilerplate}
 * @param maxDupLineShare       larger share of lines repeating an earlier line is {@code quality_repetition}
 * @param maxDupLineCharShare   larger share of characters in repeated lines is {@code quality_repetition}
 * @param maxDupParagraphShare  as maxDupLineShare for paragraphs (blocks between blank lines)
 * @param maxDupParagraphCharShare as maxDupLineCharShare for paragraphs
 * @param maxTopNgramShares     for n = 2, 3, 4 words: largest share of characters covered by the most frequent
 *                              n-gram, {@code quality_repetition}
 * @param maxDupNgramShares     for n = 5 .. 10 words: largest share of characters in repeated n-grams,
 *                              {@code quality_repetition}
 * @param minWordsForNgramRules the n-gram rules apply from this many words (zh/ja: this many x cjkNgramScale
 *                              letters); Gopher's thresholds assume documents of at least 50 words, and in a short
 *                              text (an exam question with its options, a prescription) one repeated phrase is
 *                              already a large share
 * @param cjkNgramScale         for zh/ja, an n-word n-gram is an (n x scale)-character n-gram: 3 by default, since a
 *                              word of Japanese prose with its particles takes two to three characters, and character
 *                              n-grams repeat more than word n-grams (compounds share characters: 患者, 患部)
 */
public record QualitySettings(boolean enabled, int minWords, int maxWords, double minMeanWordLength,
        double maxMeanWordLength, double maxSymbolRatio, double maxHashEllipsisRatio, double maxDigitRatio,
        double minAlphaWordShare, int minStopwords, int minLinesForLineRules, double maxBulletLineShare,
        double maxEllipsisLineShare, double maxBoilerplateShare, double maxDupLineShare, double maxDupLineCharShare,
        double maxDupParagraphShare, double maxDupParagraphCharShare, List<Double> maxTopNgramShares,
        List<Double> maxDupNgramShares, int minWordsForNgramRules, int cjkNgramScale) {

    /** The n of the top n-gram rules, one per {@link #maxTopNgramShares()} entry. */
    public static final int[] TOP_NGRAM_SIZES = {2, 3, 4};
    /** The n of the duplicate n-gram rules, one per {@link #maxDupNgramShares()} entry. */
    public static final int[] DUP_NGRAM_SIZES = {5, 6, 7, 8, 9, 10};

    public QualitySettings {
        maxTopNgramShares = List.copyOf(maxTopNgramShares);
        maxDupNgramShares = List.copyOf(maxDupNgramShares);
        if (maxTopNgramShares.size() != TOP_NGRAM_SIZES.length) {
            throw invalid("top n-gram shares: one per n in 2..4, got " + maxTopNgramShares);
        }
        if (maxDupNgramShares.size() != DUP_NGRAM_SIZES.length) {
            throw invalid("duplicate n-gram shares: one per n in 5..10, got " + maxDupNgramShares);
        }
        if (minWords < 0 || maxWords < minWords || minStopwords < 0 || minLinesForLineRules < 1
                || minWordsForNgramRules < 0 || cjkNgramScale < 1) {
            throw invalid("word bounds, min stop words, min lines and the CJK n-gram scale must be sensible");
        }
        if (minMeanWordLength < 0 || maxMeanWordLength < minMeanWordLength) {
            throw invalid("mean word length bounds must satisfy 0 <= min <= max");
        }
        for (double share : List.of(maxSymbolRatio, maxHashEllipsisRatio, maxDigitRatio, minAlphaWordShare,
                maxBulletLineShare, maxEllipsisLineShare, maxBoilerplateShare, maxDupLineShare, maxDupLineCharShare,
                maxDupParagraphShare, maxDupParagraphCharShare)) {
            checkShare(share);
        }
        maxTopNgramShares.forEach(QualitySettings::checkShare);
        maxDupNgramShares.forEach(QualitySettings::checkShare);
    }

    /** The documented defaults. */
    public static QualitySettings defaults() {
        return new QualitySettings(true, 15, 100_000, 3.0, 12.0, 0.10, 0.10, 0.30, 0.60, 2, 4, 0.90, 0.30, 0.30,
                0.30, 0.20, 0.30, 0.20, List.of(0.20, 0.18, 0.16), List.of(0.15, 0.14, 0.13, 0.12, 0.11, 0.10), 50, 3);
    }

    /** These settings with the rules switched on or off. */
    public QualitySettings withEnabled(boolean value) {
        return new QualitySettings(value, minWords, maxWords, minMeanWordLength, maxMeanWordLength, maxSymbolRatio,
                maxHashEllipsisRatio, maxDigitRatio, minAlphaWordShare, minStopwords, minLinesForLineRules,
                maxBulletLineShare, maxEllipsisLineShare, maxBoilerplateShare, maxDupLineShare, maxDupLineCharShare,
                maxDupParagraphShare, maxDupParagraphCharShare, maxTopNgramShares, maxDupNgramShares,
                minWordsForNgramRules, cjkNgramScale);
    }

    private static void checkShare(double share) {
        if (!(share >= 0.0 && share <= 1.0)) {
            throw invalid("quality shares and ratios must be within [0, 1], got " + share);
        }
    }

    private static FilterException invalid(String message) {
        return new FilterException(Reason.INVALID_CONFIGURATION, "quality: " + message);
    }
}
