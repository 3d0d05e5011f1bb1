package io.mmedstream.filter.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Clinical measurement patterns of a {@code lexical-v2} set: a number followed by a clinical unit ("500 mg",
 * "120/80 mmHg", "5,4 ммоль/л", "38.5℃", "10 mg/kg"). Read from {@code lexicons/<set>/patterns.txt}, one class per
 * line:
 * <pre>
 * &lt;class&gt; &lt;weight&gt;: &lt;unit&gt; | &lt;unit&gt; | ...
 * </pre>
 * Units are matched case-insensitively right after the number (a space between them is allowed, and a space inside
 * a unit matches any amount of white space); a unit must not run on into a Latin or Cyrillic letter ("ml" does not
 * match "mlle"). One regular expression, built once, finds every class in a single pass. Each class found counts
 * like one term of its weight ({@link WeightedRelevance}). The expression is tried only where a number starts (a
 * digit not preceded by a digit, "." or ","), found by a plain scan: a search with the regular expression alone
 * tries it at every character. Thread-safe.
 */
final class ClinicalPatterns {

    /** One unit class. */
    record UnitClass(String name, double weight, List<String> units) {
    }

    private final List<UnitClass> classes;
    private final Pattern pattern; // null when there is no class

    ClinicalPatterns(List<UnitClass> classes) {
        this.classes = List.copyOf(classes);
        if (classes.isEmpty()) {
            pattern = null;
            return;
        }
        StringBuilder re = new StringBuilder();
        // A number (digits, optional decimal part, optional range "5-10"); count() tries it only where a number
        // starts, so it is never the tail of a longer number.
        re.append("[0-9０-９]+(?:[.,][0-9]+)?(?:\\s?[-–]\\s?[0-9]+(?:[.,][0-9]+)?)?\\s?(?:");
        for (int c = 0; c < classes.size(); c++) {
            if (c > 0) {
                re.append('|');
            }
            re.append("(?<c").append(c).append(">");
            List<String> units = new ArrayList<>(classes.get(c).units());
            units.sort(Comparator.comparingInt(String::length).reversed()); // longest first: mg/dl before mg
            for (int u = 0; u < units.size(); u++) {
                if (u > 0) {
                    re.append('|');
                }
                String[] parts = units.get(u).strip().split("\\s+");
                for (int p = 0; p < parts.length; p++) {
                    if (p > 0) {
                        re.append("\\s*");
                    }
                    re.append(Pattern.quote(parts[p]));
                }
            }
            re.append(')');
        }
        re.append(")(?![A-Za-z\\u00C0-\\u024F\\u0400-\\u04FF])");
        pattern = Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Loads {@code lexicons/<set>/patterns.txt}; a set without the file has no patterns. */
    static ClinicalPatterns load(String set) {
        String path = Lexicon.RESOURCE_ROOT + "/" + set + "/patterns.txt";
        try (InputStream in = Resources.open(path)) {
            if (in == null) {
                return new ClinicalPatterns(List.of());
            }
            return parse(set, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    static ClinicalPatterns parse(String set, Reader source) throws IOException {
        List<UnitClass> classes = new ArrayList<>();
        BufferedReader reader = new BufferedReader(source);
        String line;
        int lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            String[] head = colon < 0 ? new String[0] : trimmed.substring(0, colon).strip().split("\\s+");
            if (head.length != 2 || !head[0].matches("[a-z_]+")) {
                throw TermLexicon.invalid(set + "/patterns.txt line " + lineNo
                        + ": expected '<class> <weight>: <unit> | <unit> ...'");
            }
            double weight;
            try {
                weight = Double.parseDouble(head[1]);
            } catch (NumberFormatException e) {
                throw TermLexicon.invalid(set + "/patterns.txt line " + lineNo + ": bad weight " + head[1]);
            }
            List<String> units = new ArrayList<>();
            for (String unit : trimmed.substring(colon + 1).split("\\|")) {
                if (!unit.isBlank()) {
                    units.add(unit.strip());
                }
            }
            if (units.isEmpty() || !(weight > 0)) {
                throw TermLexicon.invalid(set + "/patterns.txt line " + lineNo + ": no unit or weight <= 0");
            }
            classes.add(new UnitClass(head[0], weight, units));
        }
        return new ClinicalPatterns(classes);
    }

    List<UnitClass> classes() {
        return classes;
    }

    /** Counts the occurrences of each class in a text, into {@code counts} (indexed like {@link #classes()}). */
    void count(CharSequence text, int[] counts) {
        if (pattern == null) {
            return;
        }
        Matcher m = pattern.matcher(text);
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!isDigit(text.charAt(i)) || (i > 0 && continuesNumber(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            m.region(i, n);
            if (m.lookingAt()) {
                for (int c = 0; c < classes.size(); c++) {
                    if (m.start(c + 1) >= 0) {
                        counts[c]++;
                        break;
                    }
                }
                i = m.end();
            } else {
                i++;
            }
        }
    }

    private static boolean isDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= '０' && c <= '９');
    }

    /** Characters after which a digit continues a number rather than starting one. */
    private static boolean continuesNumber(char c) {
        return isDigit(c) || c == '.' || c == ',';
    }
}
