package io.mmedstream.eval.metrics;

import io.mmedstream.eval.benchmark.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.apache.lucene.analysis.ja.JapaneseTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Splits a rationale into the words BLEU and ROUGE count (REFERENCE §2). English, French, Spanish and Russian: runs of
 * letters, combining marks and digits (whitespace and punctuation separate words and are not words). Chinese:
 * Lucene smartcn's HMM segmenter. Japanese: Lucene Kuromoji (IPADIC, normal mode, punctuation discarded). In every
 * language the text is first put in Unicode NFKC, words are lower-cased, and tokens without a letter or digit
 * (punctuation the segmenters emit) are dropped.
 *
 * <p>Thread-safe: the Lucene analyzers keep one tokenizer per thread.
 */
public final class RationaleSegmenter {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+");

    private static final Analyzer CHINESE = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            return new TokenStreamComponents(new HMMChineseTokenizer());
        }
    };

    private static final Analyzer JAPANESE = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            return new TokenStreamComponents(new JapaneseTokenizer(null, true, JapaneseTokenizer.Mode.NORMAL));
        }
    };

    private RationaleSegmenter() {
    }

    /** The words of {@code text} in {@code language}, in order. */
    public static List<String> words(String text, Language language) {
        String normalized = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC);
        List<String> words = switch (language) {
            case CHINESE -> analyze(CHINESE, normalized);
            case JAPANESE -> analyze(JAPANESE, normalized);
            case ENGLISH, FRENCH, RUSSIAN, SPANISH -> split(normalized);
        };
        return Collections.unmodifiableList(words);
    }

    private static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group().toLowerCase(Locale.ROOT));
        }
        return words;
    }

    private static List<String> analyze(Analyzer analyzer, String text) {
        List<String> words = new ArrayList<>();
        try (TokenStream tokens = analyzer.tokenStream("rationale", text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken()) {
                String word = term.toString();
                if (word.codePoints().anyMatch(Character::isLetterOrDigit)) {
                    words.add(word.toLowerCase(Locale.ROOT));
                }
            }
            tokens.end();
        } catch (IOException e) {
            // The analyzers read from a String: an IOException here is a bug, not an input problem.
            throw new UncheckedIOException(e);
        }
        return words;
    }
}
