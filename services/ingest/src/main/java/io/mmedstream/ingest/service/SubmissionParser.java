package io.mmedstream.ingest.service;

import static io.mmedstream.ingest.domain.RejectionReason.INVALID_FIELD;
import static io.mmedstream.ingest.domain.RejectionReason.INVALID_UTF8;
import static io.mmedstream.ingest.domain.RejectionReason.MALFORMED_JSON;
import static io.mmedstream.ingest.domain.RejectionReason.MISSING_FIELD;
import static io.mmedstream.ingest.domain.RejectionReason.NOT_AN_OBJECT;
import static io.mmedstream.ingest.domain.RejectionReason.TOO_LARGE;
import static io.mmedstream.ingest.domain.RejectionReason.INVALID_AVRO;
import static io.mmedstream.ingest.domain.RejectionReason.WRONG_TYPE;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.mmedstream.ingest.domain.InvalidSubmissionException;
import io.mmedstream.ingest.domain.Submission;
import io.mmedstream.proto.DocumentSubmitted;
import io.mmedstream.proto.serde.AvroDeserializer;

/**
 * Reads a submission value (UTF-8 JSON, docs/submission-format.md) into a {@link Submission}, or fails with the
 * reason and a message naming the field or byte/character position at fault.
 *
 * <p>Stricter than a default JSON parser on purpose: the bytes must be well-formed UTF-8 (Jackson alone would let
 * some malformed sequences through), duplicate keys and trailing content are errors (which {@code text} would be
 * the document?), and strings must not hold unpaired surrogate escapes. A leading UTF-8 byte-order mark is skipped.
 * Unknown fields are ignored. Optional fields that are JSON {@code null} count as absent.
 *
 * <p>Thread-safe.
 */
public final class SubmissionParser {

    private static final Pattern ISO_639_1 = Pattern.compile("[a-z]{2}");
    private static final int MAX_NAME_IN_MESSAGE = 64;
    private static final int MAX_JSON_ERROR_IN_MESSAGE = 400;
    private static final int DECODE_CHUNK = 8192;

    private static final AvroDeserializer<DocumentSubmitted> AVRO = new AvroDeserializer<>(DocumentSubmitted.class);

    private final IngestLimits limits;
    private final ObjectReader reader;

    public SubmissionParser(IngestLimits limits) {
        this.limits = limits;
        // Jackson's default string limit (20M chars) is below what a 20 MiB record can hold: the size checks here
        // decide what is too large, with a proper reason, not a parser limit that would read as malformed JSON.
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(limits.maxSubmissionBytes())
                        .maxNameLength(limits.maxSubmissionBytes())
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.reader = new ObjectMapper(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Parses and type-checks one submission value. The text is returned as submitted; normalising it is the
     * caller's next step.
     *
     * @throws InvalidSubmissionException when the value cannot be a submission; it carries the external_id when that
     *         could be read
     */
    public Submission parse(byte[] value) throws InvalidSubmissionException {
        if (value == null || value.length == 0) {
            throw new InvalidSubmissionException(MALFORMED_JSON,
                    "the record has no value; a submission is a UTF-8 JSON object");
        }
        if (value.length > limits.maxSubmissionBytes()) {
            throw new InvalidSubmissionException(TOO_LARGE, "the submission is " + value.length
                    + " bytes, over the limit of " + limits.maxSubmissionBytes() + " bytes; it was not read");
        }
        if (value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == (byte) 0x01) {
            return avro(value);
        }
        JsonNode root = readJson(decodeUtf8(value));
        if (!root.isObject()) {
            throw new InvalidSubmissionException(NOT_AN_OBJECT,
                    "a submission is a JSON object, this value is a JSON " + typeName(root));
        }
        String externalId = readableExternalId(root);
        try {
            return fields(root);
        } catch (InvalidSubmissionException e) {
            throw e.withExternalId(externalId);
        }
    }

    /** The binary form: a {@link DocumentSubmitted} in Avro single-object encoding, checked like the JSON form. */
    private Submission avro(byte[] value) throws InvalidSubmissionException {
        DocumentSubmitted submitted;
        try {
            submitted = AVRO.decode(value);
        } catch (RuntimeException e) {
            throw new InvalidSubmissionException(INVALID_AVRO, "the value starts with C3 01, the Avro single-object"
                    + " marker, but is not a DocumentSubmitted record (proto/src/main/avro/DocumentSubmitted.avsc): "
                    + Unicode.abbreviate(String.valueOf(rootCause(e).getMessage()), MAX_JSON_ERROR_IN_MESSAGE));
        }
        String externalId = submitted.getExternalId();
        try {
            requireEncodable("text", submitted.getText());
            requireEncodable("source", submitted.getSource());
            String source = submitted.getSource().strip();
            if (source.isEmpty()) {
                throw new InvalidSubmissionException(INVALID_FIELD, "field 'source' is blank; name the corpus, crawl"
                        + " or dataset the document comes from");
            }
            return new Submission(submitted.getText(), source, blankToNull(submitted.getUrl()),
                    language(blankToNull(submitted.getLang())), blankToNull(submitted.getLicense()), externalId,
                    new LinkedHashMap<>(submitted.getMetadata()));
        } catch (InvalidSubmissionException e) {
            throw e.withExternalId(externalId);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private Submission fields(JsonNode root) throws InvalidSubmissionException {
        String text = requiredString(root, "text");
        requireEncodable("text", text);

        String source = requiredString(root, "source");
        requireEncodable("source", source);
        source = source.strip();
        if (source.isEmpty()) {
            throw new InvalidSubmissionException(INVALID_FIELD, "field 'source' is blank; name the corpus, crawl"
                    + " or dataset the document comes from");
        }

        String url = blankToNull(optionalString(root, "url"));
        String license = blankToNull(optionalString(root, "license"));
        String lang = language(blankToNull(optionalString(root, "lang")));
        String externalId = optionalString(root, "external_id"); // kept exactly as given
        Map<String, String> metadata = metadata(root.get("metadata"));
        return new Submission(text, source, url, lang, license, externalId, metadata);
    }

    /** Strict UTF-8 decoding: reports the first malformed sequence with its byte offset. */
    static String decodeUtf8(byte[] value) throws InvalidSubmissionException {
        int start = value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB
                && value[2] == (byte) 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value, start, value.length - start);
        CharBuffer scratch = CharBuffer.allocate(DECODE_CHUNK);
        // Validate in chunks, then let the JDK's fast path build the string: the decoder output is not kept, so a
        // 20 MiB submission costs no 40 MB char buffer.
        while (true) {
            CoderResult result = decoder.decode(in, scratch, true);
            if (result.isError()) {
                throw invalidUtf8(value, in.position(), result.length());
            }
            if (result.isUnderflow()) {
                break;
            }
            scratch.clear();
        }
        scratch.clear();
        CoderResult flushed = decoder.flush(scratch);
        if (flushed.isError()) {
            throw invalidUtf8(value, in.position(), flushed.length());
        }
        return new String(value, start, value.length - start, StandardCharsets.UTF_8);
    }

    private static InvalidSubmissionException invalidUtf8(byte[] value, int offset, int length) {
        StringBuilder hex = new StringBuilder();
        for (int i = offset; i < Math.min(value.length, offset + Math.max(length, 1)); i++) {
            hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02X", value[i] & 0xFF));
        }
        return new InvalidSubmissionException(INVALID_UTF8, "the value is not valid UTF-8: malformed sequence "
                + hex + " at byte offset " + offset);
    }

    private JsonNode readJson(String json) throws InvalidSubmissionException {
        JsonNode root;
        try {
            root = reader.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSubmissionException(MALFORMED_JSON, describe(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidSubmissionException(MALFORMED_JSON, "the value holds no JSON, only white space");
        }
        return root;
    }

    private static String describe(JsonProcessingException e) {
        String problem = Unicode.abbreviate(String.valueOf(e.getOriginalMessage()), MAX_JSON_ERROR_IN_MESSAGE);
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() < 0) {
            return "malformed JSON: " + problem;
        }
        return "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + " (character offset "
                + at.getCharOffset() + "): " + problem;
    }

    private static String requiredString(JsonNode root, String field) throws InvalidSubmissionException {
        JsonNode node = root.get(field);
        if (node == null) {
            throw new InvalidSubmissionException(MISSING_FIELD, "required field '" + field + "' is missing");
        }
        if (node.isNull()) {
            throw new InvalidSubmissionException(MISSING_FIELD, "required field '" + field + "' is null");
        }
        if (!node.isTextual()) {
            throw new InvalidSubmissionException(WRONG_TYPE,
                    "field '" + field + "' must be a string, got a JSON " + typeName(node));
        }
        return node.textValue();
    }

    private static String optionalString(JsonNode root, String field) throws InvalidSubmissionException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidSubmissionException(WRONG_TYPE,
                    "field '" + field + "' must be a string when present, got a JSON " + typeName(node));
        }
        requireEncodable(field, node.textValue());
        return node.textValue();
    }

    private static String language(String declared) throws InvalidSubmissionException {
        if (declared == null) {
            return null;
        }
        String lang = declared.toLowerCase(Locale.ROOT);
        if (!ISO_639_1.matcher(lang).matches()) {
            throw new InvalidSubmissionException(INVALID_FIELD, "field 'lang' must be a two-letter ISO 639-1 code"
                    + " such as \"en\" or \"zh\", got \"" + Unicode.abbreviate(declared, MAX_NAME_IN_MESSAGE) + "\"");
        }
        return lang;
    }

    private static Map<String, String> metadata(JsonNode node) throws InvalidSubmissionException {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return metadata;
        }
        if (!node.isObject()) {
            throw new InvalidSubmissionException(WRONG_TYPE,
                    "field 'metadata' must be an object of strings, got a JSON " + typeName(node));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            String shownKey = "metadata[\"" + Unicode.abbreviate(key, MAX_NAME_IN_MESSAGE) + "\"]";
            requireEncodable(shownKey + " (its key)", key);
            JsonNode value = entry.getValue();
            if (!value.isTextual()) {
                throw new InvalidSubmissionException(WRONG_TYPE,
                        "field 'metadata' must be an object of strings, but " + shownKey + " is a JSON "
                                + typeName(value));
            }
            requireEncodable(shownKey, value.textValue());
            metadata.put(key, value.textValue());
        }
        return metadata;
    }

    private static void requireEncodable(String field, String value) throws InvalidSubmissionException {
        int at = Unicode.firstUnpairedSurrogate(value);
        if (at >= 0) {
            throw new InvalidSubmissionException(INVALID_UTF8, String.format("field '%s' holds an unpaired"
                    + " surrogate \\u%04X at character %d (a JSON escape that is not a Unicode character and has no"
                    + " UTF-8 encoding)", field, (int) value.charAt(at), at));
        }
    }

    /** external_id when it is a readable string, for rejections of submissions that fail on another field. */
    private static String readableExternalId(JsonNode root) {
        JsonNode node = root.get("external_id");
        if (node == null || !node.isTextual() || Unicode.firstUnpairedSurrogate(node.textValue()) >= 0) {
            return null;
        }
        return node.textValue();
    }

    private static String blankToNull(String s) {
        if (s == null) {
            return null;
        }
        String stripped = s.strip();
        return stripped.isEmpty() ? null : stripped;
    }

    private static String typeName(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
