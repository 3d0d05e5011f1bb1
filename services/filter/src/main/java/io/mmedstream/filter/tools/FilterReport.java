package io.mmedstream.filter.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;

/**
 * {@code ./mmed filter-report FILE}: how well the filter separates medical from non-medical text, per language, with
 * the paper's relevance mode ({@code mmedc}) and the default ({@code lexical-v2}) side by side.
 *
 * <p>Input: JSON lines {@code {"lang", "label": "medical"|"nonmedical", "text"}} ({@code lang} is the true language;
 * the filter is not told it). For each mode and language: precision, recall and false-positive rate of the whole
 * decision (accepted = predicted medical), the same for the relevance test alone (run in the true language), and
 * the funnel: documents per deciding reason. Language identification accuracy (detected = true language), over all
 * documents and over those longer than 200 characters, is the same for both modes. {@code --json} prints one JSON
 * object instead of tables. Only aggregate figures are printed, never texts.
 */
public final class FilterReport {

    static final String USAGE = """
            usage: filter-report FILE [--json] [--modes mmedc,lexical-v2] [--no-quality] [--no-pii]
              FILE: JSON lines {"lang", "label": "medical"|"nonmedical", "text"} (plain or .gz).
              Prints per language the precision, recall and false-positive rate of each relevance mode side by side
              (whole decision, and relevance test alone), language identification accuracy, and the funnel of
              deciding reasons. --json prints the same as one JSON object.
            """;

    /** Language identification is judged on documents longer than this (characters). */
    static final int LANG_ID_MIN_CHARS = 200;

    private FilterReport() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    record Doc(String lang, boolean medical, String text) {
    }

    /** Counts of one mode in one language. */
    static final class Counts {
        int tp, fn, fp, tn; // whole decision
        int relTp, relFn, relFp, relTn; // relevance test alone
        final Map<String, Integer> funnelMedical = new TreeMap<>();
        final Map<String, Integer> funnelNonmedical = new TreeMap<>();

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("medical", tp + fn);
            m.put("nonmedical", fp + tn);
            m.put("accepted_medical", tp);
            m.put("accepted_nonmedical", fp);
            m.put("precision", ratio(tp, tp + fp));
            m.put("recall", ratio(tp, tp + fn));
            m.put("fp_rate", ratio(fp, fp + tn));
            m.put("relevance_recall", ratio(relTp, relTp + relFn));
            m.put("relevance_fp_rate", ratio(relFp, relFp + relTn));
            m.put("funnel_medical", funnelMedical);
            m.put("funnel_nonmedical", funnelNonmedical);
            return m;
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ToolSupport.quietLogging();
        String file = null;
        boolean json = false;
        boolean quality = true;
        boolean pii = true;
        List<String> modes = List.of(FilterSettings.MMEDC_MODE, FilterSettings.DEFAULT_RELEVANCE_MODE);
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--json" -> json = true;
                    case "--no-quality" -> quality = false;
                    case "--no-pii" -> pii = false;
                    case "--modes" -> modes = List.of(ToolSupport.valueOf(args, i++, "--modes").split(","));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("-") || file != null) {
                            throw new IllegalArgumentException("unexpected argument: " + args[i]);
                        }
                        file = args[i];
                    }
                }
            }
            if (file == null) {
                throw new IllegalArgumentException("FILE is required");
            }
        } catch (IllegalArgumentException e) {
            err.println("filter-report: " + e.getMessage());
            err.print(USAGE);
            return ToolSupport.USAGE;
        }
        List<Doc> docs;
        try {
            docs = read(Path.of(file));
        } catch (IOException | IllegalArgumentException e) {
            err.println("filter-report: " + e.getMessage());
            return 1;
        }
        Map<String, Object> report;
        try {
            report = evaluate(docs, modes, quality, pii);
        } catch (RuntimeException e) {
            err.println("filter-report: " + e.getMessage());
            return 1;
        }
        if (json) {
            try {
                out.println(ToolSupport.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report));
            } catch (JsonProcessingException e) {
                err.println("filter-report: " + e.getMessage());
                return 1;
            }
        } else {
            printTables(report, modes, out);
        }
        return 0;
    }

    static List<Doc> read(Path path) throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (BufferedReader in = ToolSupport.open(path)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = ToolSupport.JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("line " + lineNo + ": not JSON");
                }
                String label = n.path("label").asText("");
                if (!n.path("lang").isTextual() || !n.path("text").isTextual()
                        || !(label.equals("medical") || label.equals("nonmedical"))) {
                    throw new IllegalArgumentException("line " + lineNo
                            + ": expected {\"lang\", \"label\": \"medical\"|\"nonmedical\", \"text\"}");
                }
                docs.add(new Doc(n.get("lang").asText().toLowerCase(Locale.ROOT), label.equals("medical"),
                        n.get("text").asText()));
            }
        }
        return docs;
    }

    static Map<String, Object> evaluate(List<Doc> docs, List<String> modes, boolean quality, boolean pii) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("documents", docs.size());
        Map<String, Object> byMode = new LinkedHashMap<>();
        Map<String, int[]> langId = new TreeMap<>(); // lang -> {correct, total, correct>200, total>200}
        boolean langIdDone = false;
        for (String mode : modes) {
            DocumentFilter filter = ToolSupport.engine(mode, quality, pii);
            Map<String, Counts> perLang = new TreeMap<>();
            for (Doc d : docs) {
                Counts c = perLang.computeIfAbsent(d.lang(), k -> new Counts());
                FilterVerdict v = filter.classify(d.text(), null);
                String outcome = v.accepted() ? "accepted" : v.primaryReason();
                (d.medical() ? c.funnelMedical : c.funnelNonmedical).merge(outcome, 1, Integer::sum);
                if (d.medical()) {
                    if (v.accepted()) c.tp++; else c.fn++;
                } else {
                    if (v.accepted()) c.fp++; else c.tn++;
                }
                if (filter.languages().contains(d.lang())) {
                    boolean rel = filter.isMedical(d.lang(), d.text(), new LinkedHashMap<>());
                    if (d.medical()) {
                        if (rel) c.relTp++; else c.relFn++;
                    } else {
                        if (rel) c.relFp++; else c.relTn++;
                    }
                }
                if (!langIdDone) {
                    int[] l = langId.computeIfAbsent(d.lang(), k -> new int[4]);
                    boolean ok = d.lang().equals(v.lang());
                    l[0] += ok ? 1 : 0;
                    l[1]++;
                    if (d.text().length() > LANG_ID_MIN_CHARS) {
                        l[2] += ok ? 1 : 0;
                        l[3]++;
                    }
                }
            }
            langIdDone = true;
            Map<String, Object> langs = new LinkedHashMap<>();
            perLang.forEach((lang, c) -> langs.put(lang, c.toMap()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("filter_version", filter.version());
            m.put("languages", langs);
            byMode.put(mode, m);
        }
        report.put("modes", byMode);
        Map<String, Object> lid = new LinkedHashMap<>();
        langId.forEach((lang, l) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("accuracy", ratio(l[0], l[1]));
            m.put("documents", l[1]);
            m.put("accuracy_over_200_chars", ratio(l[2], l[3]));
            m.put("documents_over_200_chars", l[3]);
            lid.put(lang, m);
        });
        report.put("language_id", lid);
        return report;
    }

    @SuppressWarnings("unchecked")
    private static void printTables(Map<String, Object> report, List<String> modes, PrintStream out) {
        Map<String, Object> byMode = (Map<String, Object>) report.get("modes");
        out.printf("%d documents%n%n", (Integer) report.get("documents"));
        StringBuilder head = new StringBuilder(String.format("%-5s %5s %5s", "lang", "med", "non"));
        for (String mode : modes) {
            head.append(String.format(" | %-29s", mode + " (" + ((Map<String, Object>) byMode.get(mode))
                    .get("filter_version") + ")"));
        }
        out.println(head);
        StringBuilder sub = new StringBuilder(String.format("%-5s %5s %5s", "", "", ""));
        for (int i = 0; i < modes.size(); i++) {
            sub.append(String.format(" | %5s %5s %5s %5s %5s", "prec", "rec", "fpr", "r.rec", "r.fpr"));
        }
        out.println(sub);
        Map<String, Object> first = (Map<String, Object>) ((Map<String, Object>) byMode.get(modes.get(0)))
                .get("languages");
        for (String lang : first.keySet()) {
            Map<String, Object> c0 = (Map<String, Object>) first.get(lang);
            StringBuilder row = new StringBuilder(String.format("%-5s %5d %5d", lang, (Integer) c0.get("medical"),
                    (Integer) c0.get("nonmedical")));
            for (String mode : modes) {
                Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) byMode
                        .get(mode)).get("languages")).get(lang);
                row.append(String.format(" | %5s %5s %5s %5s %5s", fmt(c.get("precision")), fmt(c.get("recall")),
                        fmt(c.get("fp_rate")), fmt(c.get("relevance_recall")), fmt(c.get("relevance_fp_rate"))));
            }
            out.println(row);
        }
        out.println();
        out.println("prec/rec/fpr: whole decision (accepted = medical); r.rec/r.fpr: relevance test alone, in the true"
                + " language.");
        out.println();
        out.println("Language identification (detected = true language):");
        Map<String, Object> lid = (Map<String, Object>) report.get("language_id");
        lid.forEach((lang, v) -> {
            Map<String, Object> m = (Map<String, Object>) v;
            out.printf("  %-5s all %s (%d docs)   >%d chars %s (%d docs)%n", lang, fmt(m.get("accuracy")),
                    (Integer) m.get("documents"), LANG_ID_MIN_CHARS, fmt(m.get("accuracy_over_200_chars")),
                    (Integer) m.get("documents_over_200_chars"));
        });
        out.println();
        for (String mode : modes) {
            out.println("Funnel, " + mode + " (deciding reason: medical documents / non-medical documents):");
            Map<String, Object> langs = (Map<String, Object>) ((Map<String, Object>) byMode.get(mode))
                    .get("languages");
            langs.forEach((lang, v) -> {
                Map<String, Object> c = (Map<String, Object>) v;
                out.printf("  %-5s medical %s%n", lang, c.get("funnel_medical"));
                out.printf("  %-5s non-med %s%n", "", c.get("funnel_nonmedical"));
            });
            out.println();
        }
    }

    private static String fmt(Object ratio) {
        return ratio == null ? "-" : String.format(Locale.ROOT, "%.3f", (Double) ratio);
    }

    static Double ratio(int part, int whole) {
        return whole == 0 ? null : (double) part / whole;
    }
}
