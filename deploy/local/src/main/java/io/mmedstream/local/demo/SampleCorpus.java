package io.mmedstream.local.demo;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mmedstream.local.submit.JsonLines;

/**
 * The demo's corpus, shipped in this module's resources as {@code sample-corpus/<lang>.jsonl}: short documents in
 * the submission format, medical and not, one file per language. A language without a file is skipped.
 */
public final class SampleCorpus {

    /** The languages the corpus has files for, in the order they are submitted. */
    public static final List<String> LANGUAGES = List.of("en", "zh", "ja", "fr", "ru", "es");

    private SampleCorpus() {
    }

    /** Each language's submissions (raw lines, non-blank), in {@link #LANGUAGES} order. */
    public static Map<String, List<byte[]>> load() {
        Map<String, List<byte[]>> corpus = new LinkedHashMap<>();
        for (String lang : LANGUAGES) {
            String resource = "sample-corpus/" + lang + ".jsonl";
            try (InputStream in = SampleCorpus.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    corpus.put(lang, readLines(in));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the sample corpus resource " + resource, e);
            }
        }
        return corpus;
    }

    /** All submissions in one list. */
    public static List<byte[]> all() {
        List<byte[]> all = new ArrayList<>();
        load().values().forEach(all::addAll);
        return all;
    }

    private static List<byte[]> readLines(InputStream in) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (JsonLines reader = JsonLines.read(in, 0)) {
            byte[] line;
            while ((line = reader.next()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }
}
