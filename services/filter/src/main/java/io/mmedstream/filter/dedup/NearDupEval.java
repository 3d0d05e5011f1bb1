package io.mmedstream.filter.dedup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.filter.dedup.NearDupTestSet.Copy;
import io.mmedstream.filter.dedup.NearDupTestSet.Doc;

/**
 * Measures the near-duplicate detection on a test set made by perturbing documents we have
 * ({@link NearDupTestSet}): two thirds of the documents are indexed, and their perturbed copies plus the held-out
 * third are looked up, exactly as the filter looks up a document. Prints recall at true Jaccard &ge; 0.8 (goal &ge;
 * 0.95), false matches at true Jaccard &lt; 0.5 (goal &le; 1%), detection per similarity bucket beside the LSH
 * candidate probability, for the configured threshold, 0.8, and no verification (every LSH candidate, as FineWeb);
 * with {@code --bench}, the throughput of the dedup step alone.
 *
 * <pre>
 * java -cp "services/filter/target/classes:services/filter/target/quarkus-app/lib/main/*" \
 *     io.mmedstream.filter.dedup.NearDupEval [--corpus FILE.jsonl[.gz]|DIR]... [--docs N] [--copies K] [--seed S]
 *     [--threshold T] [--bench] [--bench-mb MB]
 * </pre>
 *
 * Without {@code --corpus} it uses the project's sample corpus ({@code deploy/local/src/main/resources/sample-corpus},
 * found from the working directory upwards). JSONL lines need {@code text} and {@code lang} (else the file name, e.g.
 * {@code en.jsonl}, gives the language).
 */
public final class NearDupEval {

    /** Lower bounds of the similarity buckets reported. */
    static final double[] BUCKETS = {0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0};

    /** Detection among the copies whose true Jaccard is within [low, high). */
    public record Bucket(double low, double high, int pairs, int detected) {
        public double rate() {
            return pairs == 0 ? Double.NaN : (double) detected / pairs;
        }
    }

    /**
     * The figures. {@code positives}: copies with true Jaccard &ge; 0.8 to their original; {@code found}: those
     * detected. {@code negatives}: copies with true Jaccard &lt; 0.5 plus held-out documents; {@code falseMatches}:
     * those matched to a document they share a true Jaccard &lt; 0.5 with.
     */
    public record Report(String scheme, double threshold, int indexed, int heldOut, int copies, int positives,
            int found, int negatives, int falseMatches, List<Bucket> buckets) {

        public double recall() {
            return positives == 0 ? Double.NaN : (double) found / positives;
        }

        public double falseMatchRate() {
            return negatives == 0 ? Double.NaN : (double) falseMatches / negatives;
        }
    }

    /** The test set of one corpus: the indexed documents, the held-out ones, the copies. */
    public record TestSet(List<Doc> indexed, List<Doc> heldOut, List<Copy> copies) {
    }

    private NearDupEval() {
    }

    /** Splits the corpus (seeded) into indexed and held-out documents and makes the copies of the indexed ones. */
    public static TestSet build(List<Doc> corpus, DedupSettings settings, long seed, int copiesPerDoc) {
        List<Doc> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(seed));
        int cut = shuffled.size() * 2 / 3;
        List<Doc> indexed = shuffled.subList(0, cut);
        List<Doc> heldOut = shuffled.subList(cut, shuffled.size());
        NearDupTestSet maker = new NearDupTestSet(new Shingler(settings), seed, corpus);
        return new TestSet(List.copyOf(indexed), List.copyOf(heldOut), maker.copies(indexed, copiesPerDoc));
    }

    /** Looks up every copy and held-out document in an index of the indexed documents, with this threshold. */
    public static Report evaluate(TestSet set, DedupSettings settings) {
        Shingler shingler = new Shingler(settings);
        MinHasher hasher = new MinHasher(settings);
        LshIndex index = new LshIndex(settings);
        Map<String, Doc> byId = new HashMap<>();
        for (Doc doc : set.indexed()) {
            byId.put(doc.id(), doc);
            int[] signature = signature(shingler, hasher, doc.text(), doc.lang());
            if (signature != null) {
                index.add(doc.id(), signature, true);
            }
        }
        int[] pairs = new int[BUCKETS.length];
        int[] detected = new int[BUCKETS.length];
        int positives = 0;
        int found = 0;
        int negatives = 0;
        int falseMatches = 0;
        for (Copy copy : set.copies()) {
            LshIndex.Match match = lookup(shingler, hasher, index, settings, copy.text(), copy.lang());
            int bucket = bucket(copy.trueJaccard());
            pairs[bucket]++;
            if (match != null) {
                detected[bucket]++;
            }
            if (copy.trueJaccard() >= 0.8) {
                positives++;
                if (match != null) {
                    found++;
                }
            } else if (copy.trueJaccard() < 0.5) {
                negatives++;
                if (match != null && trueJaccard(shingler, copy.text(), copy.lang(), match, byId)
                        < 0.5) {
                    falseMatches++;
                }
            }
        }
        for (Doc doc : set.heldOut()) {
            negatives++;
            LshIndex.Match match = lookup(shingler, hasher, index, settings, doc.text(), doc.lang());
            if (match != null && trueJaccard(shingler, doc.text(), doc.lang(), match, byId) < 0.5) {
                falseMatches++;
            }
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int b = 0; b < BUCKETS.length; b++) {
            double high = b + 1 < BUCKETS.length ? BUCKETS[b + 1] : 1.0;
            buckets.add(new Bucket(BUCKETS[b], high, pairs[b], detected[b]));
        }
        return new Report(settings.scheme(), settings.threshold(), set.indexed().size(), set.heldOut().size(),
                set.copies().size(), positives, found, negatives, falseMatches, buckets);
    }

    /** LSH candidate probability for Jaccard similarity j: 1 - (1 - j^rows)^bands. */
    public static double candidateProbability(double j, int bands, int rows) {
        return 1 - Math.pow(1 - Math.pow(j, rows), bands);
    }

    private static LshIndex.Match lookup(Shingler shingler, MinHasher hasher, LshIndex index, DedupSettings settings,
            String text, String lang) {
        int[] signature = signature(shingler, hasher, text, lang);
        return signature == null ? null : index.bestMatch(signature, settings.threshold());
    }

    private static int[] signature(Shingler shingler, MinHasher hasher, String text, String lang) {
        Shingler.Hashes hashes = shingler.hashes(text, lang, null);
        return hasher.signature(hashes.values(), hashes.count());
    }

    private static double trueJaccard(Shingler shingler, String text, String lang, LshIndex.Match match,
            Map<String, Doc> byId) {
        Doc matched = byId.get(match.docId());
        return NearDupTestSet.jaccard(shingler.shingles(text, lang), shingler.shingles(matched.text(), lang));
    }

    private static int bucket(double j) {
        for (int b = BUCKETS.length - 1; b >= 0; b--) {
            if (j >= BUCKETS[b]) {
                return b;
            }
        }
        return 0;
    }

    /** Prints a report. */
    public static void print(Report r, DedupSettings settings, PrintStream out) {
        out.printf(Locale.ROOT, "%n%s, threshold %s%n", r.scheme(),
                r.threshold() < 0.01 ? "none (every LSH candidate is a match)" : String.format(Locale.ROOT, "%.2f",
                        r.threshold()));
        out.printf(Locale.ROOT, "  %-13s %7s %9s %9s%n", "true J", "copies", "detected", "P(cand)");
        for (Bucket b : r.buckets()) {
            if (b.pairs() == 0) {
                continue;
            }
            String range = b.low() == 1.0 ? "1.00" : String.format(Locale.ROOT, "[%.2f,%.2f)", b.low(), b.high());
            double mid = b.low() == 1.0 ? 1.0 : (b.low() + b.high()) / 2;
            out.printf(Locale.ROOT, "  %-13s %7d %9.3f %9.3f%n", range, b.pairs(), b.rate(),
                    candidateProbability(mid, settings.bands(), settings.rows()));
        }
        out.printf(Locale.ROOT, "  recall at J >= 0.8:       %.4f (%d of %d)   goal >= 0.95%n", r.recall(), r.found(),
                r.positives());
        out.printf(Locale.ROOT, "  false matches at J < 0.5: %.4f (%d of %d)   goal <= 0.01%n", r.falseMatchRate(),
                r.falseMatches(), r.negatives());
    }

    public static void main(String[] args) throws IOException {
        List<Path> corpora = new ArrayList<>();
        int maxDocs = 3000;
        int copies = 6;
        long seed = 42;
        boolean bench = false;
        double benchMb = 8;
        DedupSettings settings = DedupSettings.defaults();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--corpus" -> corpora.add(Path.of(args[++i]));
                case "--docs" -> maxDocs = Integer.parseInt(args[++i]);
                case "--copies" -> copies = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--threshold" -> settings = settings.withThreshold(Double.parseDouble(args[++i]));
                case "--bands" -> {
                    String[] br = args[++i].split("x");
                    settings = settings.withBands(Integer.parseInt(br[0]), Integer.parseInt(br[1]));
                }
                case "--bench" -> bench = true;
                case "--bench-mb" -> benchMb = Double.parseDouble(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: NearDupEval [--corpus FILE.jsonl[.gz]|DIR]... [--docs N (3000)] "
                            + "[--copies K (6)] [--seed S (42)] [--threshold T (0.7)] [--bands BxR (14x8)] [--bench] "
                            + "[--bench-mb MB (8)]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see --help)");
            }
        }
        if (corpora.isEmpty()) {
            corpora.add(sampleCorpus());
        }
        List<Doc> corpus = new ArrayList<>();
        for (Path p : corpora) {
            corpus.addAll(read(p));
        }
        List<Doc> sample = new ArrayList<>(corpus);
        Collections.shuffle(sample, new Random(seed));
        sample = sample.subList(0, Math.min(maxDocs, sample.size()));
        System.out.printf(Locale.ROOT, "Near-duplicate evaluation: %d documents of %s (languages %s), %d copies each, "
                + "seed %d%n", sample.size(), corpora, languages(sample), copies, seed);
        TestSet set = build(sample, settings, seed, copies);
        System.out.printf(Locale.ROOT, "  indexed %d, held out %d, copies %d%n", set.indexed().size(),
                set.heldOut().size(), set.copies().size());
        print(evaluate(set, settings), settings, System.out);
        if (settings.threshold() != 0.8) {
            print(evaluate(set, settings.withThreshold(0.8)), settings, System.out);
        }
        print(evaluate(set, settings.withThreshold(Double.MIN_VALUE)), settings, System.out);
        if (bench) {
            DedupBench.run(corpus, settings, (long) (benchMb * 1024 * 1024), seed, System.out);
        }
    }

    private static Map<String, Integer> languages(List<Doc> docs) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        docs.forEach(d -> counts.merge(d.lang(), 1, Integer::sum));
        return counts;
    }

    /** The project's sample corpus, from the working directory upwards. */
    static Path sampleCorpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("deploy/local/src/main/resources/sample-corpus");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the sample corpus (deploy/local/src/main/resources/sample-corpus) is not "
                + "above " + Path.of("").toAbsolutePath() + "; give --corpus");
    }

    /** Reads a JSONL(.gz) file, or every .jsonl / .jsonl.gz file of a directory. */
    public static List<Doc> read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<Doc> docs = new ArrayList<>();
            try (Stream<Path> files = Files.list(path)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".jsonl") || f.toString().endsWith(".jsonl.gz"))
                        .sorted().toList()) {
                    docs.addAll(read(f));
                }
            }
            return docs;
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("no such corpus file: " + path);
        }
        String name = path.getFileName().toString();
        String fileLang = name.substring(0, name.indexOf('.'));
        ObjectMapper json = new ObjectMapper();
        List<Doc> docs = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(path);
                InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                String lang = node.hasNonNull("lang") ? node.get("lang").asText() : fileLang;
                docs.add(new Doc(name + ":" + (n++), lang, node.get("text").asText()));
            }
        }
        return docs;
    }
}
