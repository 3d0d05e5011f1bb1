package io.mmedstream.eval.report;

import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.EvalException.Reason;
import io.mmedstream.eval.benchmark.Language;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Writes and reads the MMedBench leaderboard CSV: a header {@code Language,ModelInput,ModelOutput,GT_Answer}, then one
 * row per question, RFC 4180 style. Written: UTF-8, fields quoted only when they hold a comma, a double quote, CR or
 * LF (quotes doubled inside), records ended by CRLF, so prompts and outputs keep their line breaks. Read: the four
 * columns found by header name (any order, name case ignored), other columns (a pandas index) ignored, a UTF-8 BOM,
 * LF or CRLF endings and blank lines accepted; {@code Language} is a benchmark name ({@code English}) or ISO code
 * ({@code en}). A malformed file fails with its name and line.
 */
public final class LeaderboardCsv {

    /** The columns, in the order written. */
    public static final List<String> COLUMNS = List.of("Language", "ModelInput", "ModelOutput", "GT_Answer");

    private LeaderboardCsv() {
    }

    /** Writes the header and the rows. */
    public static void write(Writer out, Iterable<LeaderboardRow> rows) throws IOException {
        writeRecord(out, COLUMNS);
        for (LeaderboardRow row : rows) {
            writeRecord(out, List.of(row.language().displayName(), row.modelInput(), row.modelOutput(),
                    row.gtAnswer()));
        }
        out.flush();
    }

    /** Writes a CSV file, replacing it. */
    public static void writeFile(Path file, Iterable<LeaderboardRow> rows) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(out, rows);
        } catch (IOException e) {
            throw new EvalException(Reason.REPORT_IO, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Reads a CSV file. */
    public static List<LeaderboardRow> readFile(Path file) {
        if (!Files.exists(file)) {
            throw new EvalException(Reason.BAD_PREDICTIONS, file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new EvalException(Reason.BAD_PREDICTIONS, file + ": not a regular file");
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        } catch (IOException | UncheckedIOException e) {
            throw new EvalException(Reason.BAD_PREDICTIONS, file + ": cannot read (is it UTF-8 text?): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads the rows of a CSV stream.
     *
     * @param source the name used in error messages (a file name)
     */
    public static List<LeaderboardRow> read(Reader in, String source) throws IOException {
        RecordReader records = new RecordReader(in instanceof BufferedReader b ? b : new BufferedReader(in), source);
        List<String> header = records.next();
        if (header == null) {
            throw new EvalException(Reason.BAD_PREDICTIONS, source + ": empty file, expected the header "
                    + String.join(",", COLUMNS));
        }
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        int[] index = new int[COLUMNS.size()];
        for (int c = 0; c < COLUMNS.size(); c++) {
            index[c] = indexOf(header, COLUMNS.get(c));
            if (index[c] < 0) {
                throw new EvalException(Reason.BAD_PREDICTIONS, source + ": line 1: the header " + header
                        + " lacks the column " + COLUMNS.get(c) + " (expected " + String.join(",", COLUMNS) + ")");
            }
        }
        List<LeaderboardRow> rows = new ArrayList<>();
        List<String> fields;
        while ((fields = records.next()) != null) {
            if (fields.size() == 1 && fields.get(0).isEmpty()) {
                continue;
            }
            if (fields.size() != header.size()) {
                throw new EvalException(Reason.BAD_PREDICTIONS, source + ": line " + records.recordLine()
                        + ": " + fields.size() + " fields, the header has " + header.size());
            }
            String languageName = fields.get(index[0]);
            Language language = Language.fromName(languageName).orElseThrow(() -> new EvalException(
                    Reason.BAD_PREDICTIONS, source + ": line " + records.recordLine() + ": unknown language \""
                    + languageName + "\" (expected one of " + Arrays.stream(Language.values())
                    .map(Language::displayName).toList() + ")"));
            rows.add(new LeaderboardRow(language, fields.get(index[1]), fields.get(index[2]), fields.get(index[3])));
        }
        return Collections.unmodifiableList(rows);
    }

    private static int indexOf(List<String> header, String column) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    private static void writeRecord(Writer out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            String field = fields.get(i);
            if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0
                    || field.indexOf('\r') >= 0) {
                out.write('"');
                out.write(field.replace("\"", "\"\""));
                out.write('"');
            } else {
                out.write(field);
            }
        }
        out.write("\r\n");
    }

    /** RFC 4180 records, one at a time, with the line each started on. */
    private static final class RecordReader {
        private final BufferedReader in;
        private final String source;
        private int line = 1;
        private int recordLine;
        private int pushedBack = -2;

        RecordReader(BufferedReader in, String source) {
            this.in = in;
            this.source = source;
        }

        int recordLine() {
            return recordLine;
        }

        /** The next record's fields, or null at the end of the input. */
        List<String> next() throws IOException {
            int c = read();
            if (c < 0) {
                return null;
            }
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean afterQuote = false;
            while (true) {
                if (quoted) {
                    if (c < 0) {
                        throw new EvalException(Reason.BAD_PREDICTIONS, source + ": line " + recordLine
                                + ": a quoted field is never closed");
                    }
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            afterQuote = true;
                            c = d;
                            continue;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append((char) c);
                    }
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    afterQuote = false;
                } else if (c < 0 || c == '\n' || c == '\r') {
                    if (c == '\r') {
                        int d = read();
                        if (d != '\n') {
                            unread(d);
                        }
                    }
                    if (c >= 0) {
                        line++;
                    }
                    fields.add(field.toString());
                    return fields;
                } else if (afterQuote) {
                    throw new EvalException(Reason.BAD_PREDICTIONS, source + ": line " + line
                            + ": unexpected \"" + (char) c + "\" after a closing quote (quotes inside a field must"
                            + " be doubled)");
                } else if (c == '"' && field.isEmpty()) {
                    quoted = true;
                } else {
                    field.append((char) c);
                }
                c = read();
            }
        }

        private int read() throws IOException {
            if (pushedBack != -2) {
                int c = pushedBack;
                pushedBack = -2;
                return c;
            }
            return in.read();
        }

        private void unread(int c) {
            pushedBack = c;
        }
    }
}
