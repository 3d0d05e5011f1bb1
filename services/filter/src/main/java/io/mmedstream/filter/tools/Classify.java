package io.mmedstream.filter.tools;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.mmedstream.filter.domain.FilterVerdict;
import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;

/**
 * {@code ./mmed classify}: decides on documents with exactly the engine the filter service runs
 * ({@link DocumentFilter}), without Kafka.
 *
 * <p>Input: JSON lines {@code {"id": optional, "text": "...", "lang": optional declared language}} from a file or
 * standard input. Output: one JSON line per input line, {@code {"id", "lang", "decision": "accept"|"drop",
 * "reasons": [...], "scores": {...}}} (plus {@code "text"}, the text to publish with personal data masked, with
 * {@code --with-text}). A line without an id gets its line number. A line that is not a JSON object with a
 * {@code text} string is reported on standard error and skipped; the exit status is then 1.
 */
public final class Classify {

    static final String USAGE = """
            usage: classify [FILE] [--mode lexical-v2|mmedc] [--no-quality] [--no-pii] [--with-text]
              Reads JSON lines {"id"?, "text", "lang"?} from FILE (plain or .gz) or standard input and writes one
              verdict per line: {"id", "lang", "decision": "accept"|"drop", "reasons": [...], "scores": {...}}.
              --mode        relevance mode (default lexical-v2, the service's default; mmedc is the paper's)
              --no-quality  switch the quality rules off
              --no-pii      switch PII masking off
              --with-text   add "text": the text to publish (PII masked when accepted)
            """;

    private Classify() {
    }

    public static void main(String[] args) {
        System.exit(run(args, null, System.out, System.err));
    }

    /** Runs the tool; {@code stdin} null means the process's standard input. Returns the exit status. */
    static int run(String[] args, Reader stdin, PrintStream out, PrintStream err) {
        ToolSupport.quietLogging();
        String file = null;
        String mode = FilterSettings.DEFAULT_RELEVANCE_MODE;
        boolean quality = true;
        boolean pii = true;
        boolean withText = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--mode" -> mode = ToolSupport.valueOf(args, i++, "--mode");
                    case "--no-quality" -> quality = false;
                    case "--no-pii" -> pii = false;
                    case "--with-text" -> withText = true;
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
        } catch (IllegalArgumentException e) {
            err.println("classify: " + e.getMessage());
            err.print(USAGE);
            return ToolSupport.USAGE;
        }
        DocumentFilter filter;
        try {
            filter = ToolSupport.engine(mode, quality, pii);
        } catch (RuntimeException e) {
            err.println("classify: " + e.getMessage());
            return ToolSupport.USAGE;
        }
        int bad = 0;
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        try (BufferedReader in = file != null ? ToolSupport.open(Path.of(file))
                : new BufferedReader(stdin != null ? stdin : new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode doc;
                try {
                    doc = ToolSupport.JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    err.println("classify: line " + lineNo + ": not JSON: " + e.getOriginalMessage());
                    bad++;
                    continue;
                }
                if (doc == null || !doc.isObject() || !doc.path("text").isTextual()) {
                    err.println("classify: line " + lineNo + ": expected an object with a \"text\" string");
                    bad++;
                    continue;
                }
                JsonNode lang = doc.path("lang");
                FilterVerdict v = filter.classify(doc.get("text").asText(), lang.isTextual() ? lang.asText() : null);
                Map<String, Object> row = new LinkedHashMap<>();
                JsonNode id = doc.get("id");
                row.put("id", id == null || id.isNull() ? (Object) lineNo : id);
                row.put("lang", v.lang());
                row.put("decision", v.accepted() ? "accept" : "drop");
                row.put("reasons", v.reasons());
                row.put("scores", new java.util.TreeMap<>(v.scores()));
                if (withText) {
                    row.put("text", v.textOr(doc.get("text").asText()));
                }
                w.write(ToolSupport.JSON.writeValueAsString(row));
                w.write('\n');
            }
            w.flush();
        } catch (IOException e) {
            err.println("classify: " + e.getMessage());
            return 1;
        }
        return bad > 0 ? 1 : 0;
    }
}
