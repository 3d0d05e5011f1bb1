package io.mmedstream.filter.service;

import java.io.Reader;
import java.util.Set;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanNormalizationFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.RussianStemmer;

import io.mmedstream.filter.service.FilterException.Reason;

/**
 * The Lucene analysis chains that {@code stem} term lists name in their {@code @analyzer} directive. Each chain is
 * Lucene's {@link StandardTokenizer} (Unicode word boundaries, UAX #29), lower case, then the language's stemmer from
 * Lucene's analysis library; the same chain runs on the lexicon's terms and on the texts, so "hypertensions",
 * "hipertensiones" and "гипертонией" meet their base forms. No stop words are removed: multi-word terms such as
 * "infarctus du myocarde" keep their function words on both sides.
 * <ul>
 * <li>{@code english}: possessive 's removed, Snowball English (Porter2) stemmer;</li>
 * <li>{@code french}: elided articles (l', d', qu' ...) removed, Lucene's light French stemmer, accents folded;</li>
 * <li>{@code spanish}: Lucene's light Spanish stemmer (plural and gender endings), accents folded;</li>
 * <li>{@code russian}: ё read as е, Snowball Russian stemmer;</li>
 * <li>{@code german}, {@code arabic}: ready for those languages (German normalisation and light stemmer; Arabic
 * normalisation and light stemmer), so that adding them needs only a term list.</li>
 * </ul>
 * Analyzers are thread-safe: Lucene keeps one token stream per thread and reuses it.
 */
final class StemAnalyzers {

    /** The names {@link #create(String)} knows. */
    static final Set<String> NAMES = Set.of("english", "french", "spanish", "russian", "german", "arabic");

    private static final CharArraySet FRENCH_ELISIONS = new CharArraySet(
            java.util.List.of("l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"),
            true);

    private StemAnalyzers() {
    }

    /** A new analyzer for a chain name; an unknown name is a configuration error. */
    static Analyzer create(String name) {
        return switch (name) {
            case "english" -> new Chain(in -> {
                TokenStream s = new EnglishPossessiveFilter(in);
                s = new LowerCaseFilter(s);
                return new SnowballFilter(s, new EnglishStemmer());
            }, null);
            case "french" -> new Chain(in -> {
                TokenStream s = new LowerCaseFilter(in);
                s = new ElisionFilter(s, FRENCH_ELISIONS);
                s = new FrenchLightStemFilter(s);
                return new ASCIIFoldingFilter(s);
            }, null);
            case "spanish" -> new Chain(in -> {
                TokenStream s = new LowerCaseFilter(in);
                s = new SpanishLightStemFilter(s);
                return new ASCIIFoldingFilter(s);
            }, null);
            case "russian" -> new Chain(in -> new SnowballFilter(new LowerCaseFilter(in), new RussianStemmer()),
                    russianYo());
            case "german" -> new Chain(in -> {
                TokenStream s = new LowerCaseFilter(in);
                s = new GermanNormalizationFilter(s);
                return new GermanLightStemFilter(s);
            }, null);
            case "arabic" -> new Chain(in -> new ArabicStemFilter(new ArabicNormalizationFilter(in)), null);
            default -> throw new FilterException(Reason.INVALID_CONFIGURATION,
                    "unknown @analyzer '" + name + "' (known: " + NAMES + ")");
        };
    }

    /**
     * The tokenizer every chain starts with, alone: the same tokens, as written, with the same offsets (the chains'
     * character mapping changes letters into letters, never a boundary).
     */
    static Analyzer tokenizerOnly() {
        return new Chain(in -> in, null);
    }

    private static NormalizeCharMap russianYo() {
        NormalizeCharMap.Builder map = new NormalizeCharMap.Builder();
        map.add("ё", "е");
        map.add("Ё", "Е");
        return map.build();
    }

    /** StandardTokenizer, an optional character mapping, then the given filters. */
    private static final class Chain extends Analyzer {
        private final java.util.function.Function<Tokenizer, TokenStream> filters;
        private final NormalizeCharMap charMap;

        Chain(java.util.function.Function<Tokenizer, TokenStream> filters, NormalizeCharMap charMap) {
            this.filters = filters;
            this.charMap = charMap;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new StandardTokenizer();
            return new TokenStreamComponents(source, filters.apply(source));
        }

        @Override
        protected Reader initReader(String fieldName, Reader reader) {
            return charMap == null ? reader : new MappingCharFilter(charMap, reader);
        }
    }
}
