package io.mmedstream.filter.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal data in a text with typed placeholders, counting each type. What is caught:
 * <ul>
 * <li>{@code <EMAIL>}: ASCII e-mail addresses, {@code local@domain.tld};</li>
 * <li>{@code <IP>}: IPv4 addresses with at least one three-digit part or two two-digit parts (so "192.168.1.20"
 * but not section numbers such as "1.2.3.4"), and IPv6 addresses, full or compressed with {@code ::} (at least two
 * groups, one with a hex letter or three digits, so that times "12:30:45" stay);</li>
 * <li>{@code <PHONE>}: numbers of 9 to 15 digits written as phone numbers: an international {@code +} prefix;
 * an area code in parentheses; three or more groups of 2 to 4 digits joined by dashes or dots ("555-123-4567",
 * "03-1234-5678", "01.23.45.67.89"), or by spaces when the number starts with a trunk 0 or follows a phone word
 * (tel, phone, fax, телефон, téléphone, teléfono, 电话, 電話 ...); Chinese landlines "0571-88881234" and mobiles
 * "13812345678";</li>
 * <li>{@code <ID>}: other runs of at least {@code minIdDigits} (9) digits that are not part of a decimal number,
 * the "3-2-4" US social security shape, and card-like groups of four digits (13 to 19 digits).</li>
 * </ul>
 * Not masked: doses and lab values ("500 mg", "1.5 mmol/L", "120/80 mmHg"), years and dates ("2019",
 * "2019-03-12", "12.03.2019"), times, ranges ("10-20"), numbers with thousands separators ("1,000,000"). Not caught
 * (documented limits): names, postal addresses, dates of birth, identifiers mixing letters and digits ("NCT01234567",
 * "AB1234567"), local phone numbers without area code ("555-1234"), space-grouped national numbers without a trunk 0
 * or a phone word nearby, IPv4 addresses whose parts are all one digit ("10.0.0.1"), IPv6 shorthand with a single
 * group ("::1") or an embedded IPv4 part, e-mail addresses with non-ASCII characters. Thread-safe.
 */
public final class PiiMasker {

    public static final String EMAIL = "<EMAIL>";
    public static final String PHONE = "<PHONE>";
    public static final String IP = "<IP>";
    public static final String ID = "<ID>";

    /**
     * A masked text.
     *
     * @param text   the text with every match replaced by its placeholder (the same instance when nothing matched)
     * @param emails e-mail addresses masked
     * @param phones phone numbers masked
     * @param ips    IP addresses (v4 and v6) masked
     * @param ids    long identifier-like numbers masked
     */
    public record Result(String text, int emails, int phones, int ips, int ids) {
        public int total() {
            return emails + phones + ips + ids;
        }
    }

    // An e-mail address is local@label(.label)*.tld: the local part starts with a letter or digit, the tld is 2-24
    // letters not followed by a letter or digit, each label is alphanumeric at both ends with hyphens inside. It is
    // found from each '@' by scanning outwards, in linear time: a regular expression with a repeated group recurses
    // once per label in java.util.regex and overflowed the stack on an "address" of a few thousand dotted labels, and
    // searching from every start position costs quadratic time on a long run of letters before an '@'.
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private static final Pattern IPV4_RE = Pattern.compile(
            "(?<![0-9.])" + OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET + "(?![0-9]|\\.[0-9])");
    private static final Pattern IPV6_CANDIDATE = Pattern.compile(
            "(?<![0-9A-Za-z:])[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*(?![0-9A-Za-z:])");
    private static final List<String> PHONE_WORDS = List.of("tel", "tél", "phone", "fax", "mobile", "тел",
            "моб", "teléfono", "telefono", "tfno", "móvil", "movil", "电话", "手机", "電話", "携帯", "call");

    private final int minIdDigits;

    /** @param minIdDigits a run of at least this many digits is an identifier (at least 9) */
    public PiiMasker(int minIdDigits) {
        if (minIdDigits < 9) {
            throw new IllegalArgumentException("min id digits must be at least 9 (8 would take dates), got "
                    + minIdDigits);
        }
        this.minIdDigits = minIdDigits;
    }

    /** Masks a text. */
    public Result mask(String text) {
        int[] counts = new int[4];
        String out = text;
        if (out.indexOf('@') >= 0) {
            out = emails(out, counts);
        }
        // The regular expressions start with a look-behind, so a search tries them at every character: they run
        // only when a plain scan finds what they need (two colons joined by hex digits; four dotted numbers).
        if (mayHoldIpv6(out)) {
            out = replace(out, IPV6_CANDIDATE, counts, 2, IP, PiiMasker::isIpv6);
        }
        if (hasDigit(out)) {
            if (mayHoldIpv4(out)) {
                out = replace(out, IPV4_RE, counts, 2, IP, PiiMasker::isLikelyIpv4);
            }
            out = numbers(out, counts);
        }
        return new Result(out, counts[0], counts[1], counts[2], counts[3]);
    }

    private static String replace(String text, Pattern pattern, int[] counts, int slot, String placeholder,
            java.util.function.Predicate<Matcher> accept) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            if (accept != null && !accept.test(m)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, m.start()).append(placeholder);
            copied = m.end();
            counts[slot]++;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** Masks every e-mail address, leftmost first, each as long as it can be (what a greedy search would mask). */
    private static String emails(String text, int[] counts) {
        StringBuilder out = null;
        int copied = 0;
        int at = text.indexOf('@');
        while (at >= 0) {
            int start = localStart(text, at, copied);
            int limit = at + 1;
            while (limit < text.length() && isDomainChar(text.charAt(limit))) {
                limit++;
            }
            int end = start < 0 ? -1 : emailEnd(text, at + 1, limit);
            if (end < 0) {
                at = text.indexOf('@', at + 1);
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, start).append(EMAIL);
            copied = end;
            counts[0]++;
            at = text.indexOf('@', end);
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /**
     * The leftmost start of a local part ending just before the '@' at {@code at}: a letter or digit followed only by
     * local-part characters, at or after {@code from}; -1 when there is none.
     */
    private static int localStart(String text, int at, int from) {
        int run = at;
        while (run > from && isLocalChar(text.charAt(run - 1))) {
            run--;
        }
        for (int i = run; i < at; i++) {
            if (isAsciiAlnum(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The end of the longest domain {@code label(.label)*.tld} that starts at {@code start} and lies within
     * {@code [start, limit)} (letters, digits, '.' and '-' only), or -1 when there is none.
     */
    private static int emailEnd(String text, int start, int limit) {
        int best = -1;
        int labelStart = start;
        int labels = 0; // valid labels so far, each followed by '.'
        while (labelStart < limit) {
            int labelEnd = labelStart;
            while (labelEnd < limit && text.charAt(labelEnd) != '.') {
                labelEnd++;
            }
            if (labels >= 1) {
                int letters = 0;
                while (labelStart + letters < labelEnd && isAsciiLetter(text.charAt(labelStart + letters))) {
                    letters++;
                }
                int after = labelStart + letters;
                if (letters >= 2 && letters <= 24 && (after >= text.length() || !isAsciiAlnum(text.charAt(after)))) {
                    best = after;
                }
            }
            if (!isLabel(text, labelStart, labelEnd) || labelEnd == limit) {
                break;
            }
            labels++;
            labelStart = labelEnd + 1;
        }
        return best;
    }

    private static boolean isLabel(String text, int from, int to) {
        return to > from && isAsciiAlnum(text.charAt(from)) && isAsciiAlnum(text.charAt(to - 1));
    }

    private static boolean isLocalChar(char c) {
        return isAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static boolean isDomainChar(char c) {
        return isAsciiAlnum(c) || c == '.' || c == '-';
    }

    private static boolean isAsciiAlnum(char c) {
        return isAsciiLetter(c) || isDigit(c);
    }

    private static boolean isLikelyIpv4(Matcher m) {
        int three = 0;
        int two = 0;
        for (int g = 1; g <= 4; g++) {
            int len = m.group(g).length();
            three += len == 3 ? 1 : 0;
            two += len >= 2 ? 1 : 0;
        }
        return three >= 1 || two >= 2;
    }

    private static boolean isIpv6(Matcher m) {
        String s = m.group();
        if (s.contains(":::")) {
            return false;
        }
        int compressed = s.indexOf("::");
        if (compressed >= 0 && s.indexOf("::", compressed + 1) >= 0) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        for (String part : s.split(":", -1)) {
            if (!part.isEmpty()) {
                groups.add(part);
            }
        }
        for (String g : groups) {
            if (g.length() > 4) {
                return false;
            }
        }
        // Without "::" no empty group is allowed ("a:b:" or ":a:b").
        if (compressed < 0 && (groups.size() != 8 || s.startsWith(":") || s.endsWith(":"))) {
            return false;
        }
        if (compressed >= 0 && (groups.size() < 2 || groups.size() > 7)) {
            return false;
        }
        if (compressed >= 0) {
            String rest = s.replace("::", "\u0000");
            if (rest.startsWith(":") || rest.endsWith(":") || rest.contains(":\u0000") || rest.contains("\u0000:")) {
                return false;
            }
        }
        for (String g : groups) {
            if (g.length() >= 3 || g.chars().anyMatch(Character::isLetter)) {
                return true;
            }
        }
        return false;
    }

    /** Whether two colons are joined by nothing but hex digits somewhere (every IPv6 candidate has that). */
    static boolean mayHoldIpv6(String s) {
        int lastColon = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                if (lastColon >= 0) {
                    return true;
                }
                lastColon = i;
            } else if (!isHex(c)) {
                lastColon = -1;
            }
        }
        return false;
    }

    /** Whether four runs of one to three digits joined by dots occur (every IPv4 match is one). */
    static boolean mayHoldIpv4(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (!isAsciiDigit(s.charAt(i)) || (i > 0 && isAsciiDigit(s.charAt(i - 1)))) {
                continue;
            }
            int k = i;
            int groups = 0;
            while (true) {
                int start = k;
                while (k < n && isAsciiDigit(s.charAt(k)) && k - start < 4) {
                    k++;
                }
                int len = k - start;
                if (len == 0 || len > 3) {
                    break;
                }
                if (++groups == 4) {
                    return true;
                }
                if (k + 1 >= n || s.charAt(k) != '.' || !isAsciiDigit(s.charAt(k + 1))) {
                    break;
                }
                k++;
            }
        }
        return false;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Phone numbers and identifiers: a hand-written scan over digit runs and their separators.

    private String numbers(String text, int[] counts) {
        StringBuilder out = null;
        int copied = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            boolean starts = isDigit(c) || ((c == '+' || c == '(') && i + 1 < n && isDigit(text.charAt(i + 1)));
            if (!starts || (i > 0 && isWordChar(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            int end = extend(text, i);
            if (end < n && isAsciiLetter(text.charAt(end))) { // "123456789mg", "12345678x": not a number alone
                i = skipRun(text, i);
                continue;
            }
            String candidate = text.substring(i, end);
            String kind = classify(candidate, text, i);
            if (kind != null) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(text, copied, i).append(kind);
                copied = end;
                counts[kind.equals(PHONE) ? 1 : 3]++;
                i = end;
                continue;
            }
            // Not a phone shape: long plain digit runs inside it are still identifiers.
            int j = i;
            while (j < end) {
                if (!isDigit(text.charAt(j))) {
                    j++;
                    continue;
                }
                int runEnd = j;
                while (runEnd < end && isDigit(text.charAt(runEnd))) {
                    runEnd++;
                }
                if (runEnd - j >= minIdDigits && !partOfDecimal(text, j, runEnd)) {
                    if (out == null) {
                        out = new StringBuilder(n);
                    }
                    boolean mobile = runEnd - j == 11 && isChineseMobile(text, j);
                    out.append(text, copied, j).append(mobile ? PHONE : ID);
                    copied = runEnd;
                    counts[mobile ? 1 : 3]++;
                }
                j = runEnd;
            }
            i = end;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, n).toString();
    }

    /** End (exclusive) of the phone-like span starting at i: digits and single separators, ending on a digit. */
    private static int extend(String text, int i) {
        int n = text.length();
        int j = i;
        int lastDigitEnd = i;
        int separatorsInARow = 0;
        while (j < n && j - i < 32) {
            char c = text.charAt(j);
            if (isDigit(c)) {
                lastDigitEnd = j + 1;
                separatorsInARow = 0;
            } else if ((c == '+' && j == i) || c == '(' || c == ')' || c == '-' || c == '.' || c == ' '
                    || c == '\u00A0' || c == '\u2013') {
                if (++separatorsInARow > 2) {
                    break;
                }
            } else {
                break;
            }
            j++;
        }
        return lastDigitEnd;
    }

    private static int skipRun(String text, int i) {
        int j = i + 1;
        while (j < text.length() && (isDigit(text.charAt(j)) || isAsciiLetter(text.charAt(j)))) {
            j++;
        }
        return j;
    }

    /** PHONE, ID, or null when the span is neither. */
    private String classify(String s, String text, int at) {
        List<Integer> groups = new ArrayList<>();
        StringBuilder separators = new StringBuilder();
        int digits = 0;
        int run = 0;
        boolean parenthesised = false;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (isDigit(c)) {
                run++;
                digits++;
            } else {
                if (run > 0) {
                    groups.add(run);
                    run = 0;
                }
                if (c == '(' || c == ')') {
                    parenthesised |= c == ')' && s.indexOf('(') >= 0 && s.indexOf('(') < k;
                } else if (c != '+') {
                    separators.append(c == '\u00A0' ? ' ' : c == '\u2013' ? '-' : c);
                }
            }
        }
        if (run > 0) {
            groups.add(run);
        }
        if (groups.size() == 1) {
            return null; // a plain run: the identifier rule in numbers() decides
        }
        String seps = separators.toString().replace("  ", " ");
        boolean oneKind = !seps.isEmpty() && seps.chars().distinct().count() == 1;
        if (s.startsWith("+")) {
            return digits >= 8 && digits <= 15 ? PHONE : null;
        }
        if (digits < 9 || digits > 19) {
            return null;
        }
        boolean card = groups.size() >= 4 && digits >= 13 && groups.subList(0, groups.size() - 1).stream()
                .allMatch(g -> g == 4) && oneKind && (seps.charAt(0) == ' ' || seps.charAt(0) == '-');
        if (card) {
            return ID;
        }
        if (digits > 15) {
            return null;
        }
        if (parenthesised) {
            return PHONE;
        }
        if (seps.contains(".") && seps.contains(",")) {
            return null;
        }
        boolean phoneGroups = groups.size() >= 3 && groups.get(0) <= 4 && groups.subList(1, groups.size()).stream()
                .allMatch(g -> g >= 2 && g <= 4);
        if (oneKind && phoneGroups) {
            char sep = seps.charAt(0);
            if (sep == '-' && groups.equals(List.of(3, 2, 4))) {
                return ID;
            }
            if (sep == '-' || sep == '.') {
                return looksLikeYears(s) ? null : PHONE;
            }
            if (sep == ' ' && ((s.charAt(0) == '0' && groups.get(0) >= 2) || phoneWordBefore(text, at))) {
                return PHONE;
            }
        }
        if (oneKind && seps.charAt(0) == '-' && groups.size() == 2 && s.charAt(0) == '0' && groups.get(0) >= 3
                && groups.get(0) <= 4 && groups.get(1) >= 7 && groups.get(1) <= 8) {
            return PHONE; // Chinese landline 0571-88881234
        }
        return null;
    }

    private static boolean looksLikeYears(String s) {
        for (String part : s.split("[-.]")) {
            if (!(part.length() == 4 && (part.startsWith("19") || part.startsWith("20")))) {
                return false;
            }
        }
        return true;
    }

    private static boolean phoneWordBefore(String text, int at) {
        String before = text.substring(Math.max(0, at - 24), at).toLowerCase(Locale.ROOT);
        for (String w : PHONE_WORDS) {
            if (before.contains(w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isChineseMobile(String text, int start) {
        return text.charAt(start) == '1' && text.charAt(start + 1) >= '3' && text.charAt(start + 1) <= '9';
    }

    /** Whether digits [from, to) belong to a decimal number such as 3.14159265358 or 123456789,5. */
    private static boolean partOfDecimal(String text, int from, int to) {
        boolean before = from >= 2 && (text.charAt(from - 1) == '.' || text.charAt(from - 1) == ',')
                && isDigit(text.charAt(from - 2));
        boolean after = to + 1 < text.length() && (text.charAt(to) == '.' || text.charAt(to) == ',')
                && isDigit(text.charAt(to + 1));
        return before || after;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** A letter or digit that glues to a following number (Latin, Cyrillic ...), but not a CJK character. */
    private static boolean isWordChar(char c) {
        if (isDigit(c) || isAsciiLetter(c)) {
            return true;
        }
        if (!Character.isLetterOrDigit(c)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script != Character.UnicodeScript.HAN && script != Character.UnicodeScript.HIRAGANA
                && script != Character.UnicodeScript.KATAKANA;
    }
}
