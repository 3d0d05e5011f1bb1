package io.mmedstream.local.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.mmedstream.proto.Topics;

/**
 * Submissions that ingest must reject, one per kind of fault, so the demo shows the rejected topic at work and the
 * accounting includes failures. Each names the reason code ingest gives it (see DocumentRejected.reason).
 */
public final class MalformedSubmissions {

    /** One faulty submission and the rejection reason it should get. */
    public record Malformed(String expectedReason, String description, byte[] value) {
    }

    private MalformedSubmissions() {
    }

    /** The faulty submissions, the oversized one last. */
    public static List<Malformed> all() {
        return List.of(
                new Malformed("malformed_json", "JSON cut off in the middle",
                        utf8("{\"text\": \"Patient presented with fever and a productive cough\", \"source\": \"demo")),
                new Malformed("invalid_utf8", "bytes that are not UTF-8 inside the text",
                        concat(utf8("{\"text\": \"Fever "), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                                utf8(" and cough\", \"source\": \"demo-malformed\"}"))),
                new Malformed("blank_text", "text with only whitespace",
                        utf8("{\"text\": \"  \\n\\t  \", \"source\": \"demo-malformed\"}")),
                new Malformed("missing_field", "no source",
                        utf8("{\"text\": \"A 54-year-old man with chest pain was given aspirin.\", \"lang\": \"en\"}")),
                new Malformed("wrong_type", "text is a number",
                        utf8("{\"text\": 42, \"source\": \"demo-malformed\"}")),
                new Malformed("not_an_object", "a JSON array instead of an object",
                        utf8("[\"text\", \"source\"]")),
                new Malformed("too_large", "text larger than 8 MiB", oversized()));
    }

    /** A well-formed submission whose text is a little over {@link Topics#MAX_TEXT_BYTES}. */
    static byte[] oversized() {
        byte[] sentence = utf8("The patient was admitted with community-acquired pneumonia and treated with antibiotics. ");
        ByteArrayOutputStream out = new ByteArrayOutputStream(Topics.MAX_TEXT_BYTES + 64 * 1024);
        out.writeBytes(utf8("{\"source\": \"demo-malformed\", \"text\": \""));
        int written = 0;
        while (written <= Topics.MAX_TEXT_BYTES + 1024) {
            out.writeBytes(sentence);
            written += sentence.length;
        }
        out.writeBytes(utf8("\"}"));
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
