package io.mmedstream.modelserver.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A model configuration as a tree, whether it came from a {@code config.pbtxt} (protobuf text format) or from the
 * JSON form a {@code RepositoryModelLoad} request may carry as its {@code config} parameter. Without Triton's
 * model_config.proto the parser cannot know which fields repeat, so every field holds a list: a text-format field
 * written twice, a text-format list {@code [a, b]} and a JSON array all become several values. Scalars are kept as
 * their text ({@code "TYPE_STRING"}, {@code "2"}, {@code "true"}).
 */
public final class ConfigNode {

    private final Map<String, List<Object>> fields = new LinkedHashMap<>();

    /** Field names, in first-seen order. */
    public Set<String> keys() {
        return fields.keySet();
    }

    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** Every value of a field (nodes and scalar strings). */
    public List<Object> all(String key) {
        return fields.getOrDefault(key, List.of());
    }

    /** The field's scalar value, or {@code fallback} when absent. */
    public String string(String key, String fallback) {
        for (Object v : all(key)) {
            if (v instanceof String s) {
                return s;
            }
        }
        return fallback;
    }

    /** The field as a whole number, or {@code fallback} when absent. */
    public long integer(String key, long fallback, String source) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ModelServerException.badModel(source + ": " + key + " must be a whole number, got '" + v + "'");
        }
    }

    /** The field as a boolean (true/false, 1/0), or {@code fallback} when absent. */
    public boolean bool(String key, boolean fallback, String source) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "true", "True", "1" -> true;
            case "false", "False", "0" -> false;
            default -> throw ModelServerException.badModel(source + ": " + key + " must be true or false, got '" + v
                    + "'");
        };
    }

    /** The first sub-message of a field, or null. */
    public ConfigNode node(String key) {
        for (Object v : all(key)) {
            if (v instanceof ConfigNode n) {
                return n;
            }
        }
        return null;
    }

    /** Every sub-message of a field. */
    public List<ConfigNode> nodes(String key) {
        List<ConfigNode> out = new ArrayList<>();
        for (Object v : all(key)) {
            if (v instanceof ConfigNode n) {
                out.add(n);
            }
        }
        return out;
    }

    void add(String key, Object value) {
        fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    /** The JSON form (protobuf's JSON mapping with the proto field names, as Triton prints and accepts it). */
    public static ConfigNode fromJson(JsonNode json, String source) {
        if (!json.isObject()) {
            throw ModelServerException.badModel(source + ": the model configuration must be a JSON object");
        }
        ConfigNode node = new ConfigNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            addJson(node, e.getKey(), e.getValue(), source);
        }
        return node;
    }

    private static void addJson(ConfigNode node, String key, JsonNode value, String source) {
        if (value.isArray()) {
            for (JsonNode element : value) {
                addJson(node, key, element, source);
            }
        } else if (value.isObject()) {
            node.add(key, fromJson(value, source));
        } else if (!value.isNull()) {
            node.add(key, value.asText());
        }
    }

    /** Parses protobuf text format, as Triton's config.pbtxt is written. */
    public static ConfigNode parseText(String text, String source) {
        return new TextParser(text, source).parseMessage(true);
    }

    /** A recursive-descent parser for the subset of protobuf text format that model configurations use. */
    private static final class TextParser {
        private final String text;
        private final String source;
        private int pos;

        TextParser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        ConfigNode parseMessage(boolean top) {
            ConfigNode node = new ConfigNode();
            while (true) {
                skipSpace();
                if (pos >= text.length()) {
                    if (!top) {
                        throw error("missing '}'");
                    }
                    return node;
                }
                char c = text.charAt(pos);
                if (c == '}' || c == '>') {
                    if (top) {
                        throw error("unexpected '" + c + "'");
                    }
                    return node;
                }
                String name = identifier();
                skipSpace();
                boolean colon = peek(':');
                if (colon) {
                    pos++;
                    skipSpace();
                }
                if (peek('{') || peek('<')) {
                    node.add(name, subMessage());
                } else if (peek('[')) {
                    pos++;
                    skipSpace();
                    if (!peek(']')) {
                        while (true) {
                            skipSpace();
                            node.add(name, (peek('{') || peek('<')) ? subMessage() : scalar());
                            skipSpace();
                            if (peek(',')) {
                                pos++;
                                continue;
                            }
                            break;
                        }
                    }
                    expect(']');
                } else {
                    if (!colon) {
                        throw error("expected ':' after " + name);
                    }
                    node.add(name, scalar());
                }
                skipSpace();
                if (peek(',') || peek(';')) {
                    pos++;
                }
            }
        }

        private ConfigNode subMessage() {
            char open = text.charAt(pos++);
            ConfigNode child = parseMessage(false);
            expect(open == '{' ? '}' : '>');
            return child;
        }

        private String scalar() {
            skipSpace();
            if (peek('"') || peek('\'')) {
                StringBuilder out = new StringBuilder();
                while (peek('"') || peek('\'')) { // adjacent strings concatenate
                    out.append(quoted());
                    skipSpace();
                }
                return out.toString();
            }
            int start = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+' || c == '.') {
                    pos++;
                } else {
                    break;
                }
            }
            if (start == pos) {
                throw error("expected a value");
            }
            return text.substring(start, pos);
        }

        private String quoted() {
            char quote = text.charAt(pos++);
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == quote) {
                    return out.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    char e = text.charAt(pos++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        default -> out.append(e); // \\ \" \' and anything else taken literally
                    }
                } else {
                    out.append(c);
                }
            }
            throw error("unterminated string");
        }

        private String identifier() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a field name");
            }
            return text.substring(start, pos);
        }

        private void skipSpace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '#') {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                } else if (Character.isWhitespace(c)) {
                    pos++;
                } else {
                    return;
                }
            }
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void expect(char c) {
            skipSpace();
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private ModelServerException error(String what) {
            int line = 1;
            for (int i = 0; i < Math.min(pos, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                }
            }
            return ModelServerException.badModel(source + ":" + line + ": " + what);
        }
    }
}
