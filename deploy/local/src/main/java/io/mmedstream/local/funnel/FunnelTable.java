package io.mmedstream.local.funnel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.mmedstream.local.cli.Format;

/** Renders {@link FunnelCounts} for people: a table (status, summaries) and a one-line form (progress in logs). */
public final class FunnelTable {

    /** The project's languages, shown first and in this order; others follow alphabetically. */
    private static final List<String> LANGUAGE_ORDER = List.of("en", "zh", "ja", "fr", "ru", "es");
    private static final int WIDTH = 40;

    private FunnelTable() {
    }

    /** The funnel as indented rows, one per line, without a trailing newline. */
    public static List<String> rows(FunnelCounts c) {
        List<String> rows = new ArrayList<>();
        row(rows, 0, "submitted", c.submitted());
        row(rows, 1, "rejected by ingest", c.rejected());
        byCount(c.rejectedByReason()).forEach(e -> row(rows, 2, e.getKey(), e.getValue()));
        row(rows, 1, "ingested", c.ingested());
        row(rows, 2, "dropped by filter", c.dropped());
        byCount(c.droppedByReason()).forEach(e -> {
            row(rows, 3, e.getKey(), e.getValue());
            String split = languageSplit(c.droppedByReasonAndLang(), e.getKey());
            if (!split.isEmpty()) {
                rows.set(rows.size() - 1, rows.get(rows.size() - 1) + "   " + split);
            }
        });
        row(rows, 2, "accepted", c.accepted());
        row(rows, 3, "in shards", c.shardDocuments());
        row(rows, 0, "shards written", c.shards());
        row(rows, 0, "tokens (EOS included)", c.shardTokens());
        for (String lang : languages(c.tokensByLang())) {
            rows.add(pad(1, lang, c.tokensByLang().get(lang))
                    + "   " + Format.count(c.documentsByLang().getOrDefault(lang, 0L)) + " docs");
        }
        return rows;
    }

    /** "en 3 · zh 1" for one drop reason, in the usual language order, or "" when nothing is known. */
    static String languageSplit(java.util.Map<String, Long> byReasonAndLang, String reason) {
        java.util.Map<String, Long> perLang = new java.util.HashMap<>();
        byReasonAndLang.forEach((key, n) -> {
            if (key.startsWith(reason + "/")) {
                perLang.put(key.substring(reason.length() + 1), n);
            }
        });
        List<String> parts = new ArrayList<>();
        for (String lang : languages(perLang)) {
            parts.add(lang + " " + Format.count(perLang.get(lang)));
        }
        return String.join(" · ", parts);
    }

    /** The table as one string. */
    public static String render(FunnelCounts c) {
        return String.join("\n", rows(c));
    }

    /** A single line, for progress written to a log. */
    public static String line(FunnelCounts c) {
        return String.format(Locale.ROOT,
                "submitted %s | rejected %s | ingested %s | dropped %s | accepted %s | in shards %s (%s shards)",
                Format.count(c.submitted()), Format.count(c.rejected()), Format.count(c.ingested()),
                Format.count(c.dropped()), Format.count(c.accepted()), Format.count(c.shardDocuments()),
                Format.count(c.shards()));
    }

    /** Languages in display order. */
    static List<String> languages(Map<String, Long> byLang) {
        List<String> langs = new ArrayList<>(byLang.keySet());
        langs.sort(Comparator.comparingInt((String l) -> {
            int i = LANGUAGE_ORDER.indexOf(l);
            return i < 0 ? LANGUAGE_ORDER.size() : i;
        }).thenComparing(Comparator.naturalOrder()));
        return langs;
    }

    private static List<Map.Entry<String, Long>> byCount(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList();
    }

    private static void row(List<String> rows, int depth, String label, long value) {
        rows.add(pad(depth, label, value));
    }

    private static String pad(int depth, String label, long value) {
        String left = "  ".repeat(depth) + label;
        String right = Format.count(value);
        int gap = Math.max(2, WIDTH - left.length() - right.length());
        return left + " ".repeat(gap) + right;
    }
}
