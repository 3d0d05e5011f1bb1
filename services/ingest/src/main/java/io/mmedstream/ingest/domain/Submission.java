package io.mmedstream.ingest.domain;

import java.util.Map;
import java.util.Objects;

/**
 * A submission whose value decoded and whose fields have the right types: the text is still as submitted (not yet
 * normalised).
 *
 * @param text the text as submitted
 * @param source where the document comes from, trimmed, never blank
 * @param url origin URL, trimmed, or null
 * @param lang declared language, lower-case ISO 639-1, or null
 * @param license licence, trimmed, or null
 * @param externalId the submitter's own id exactly as given, or null
 * @param metadata free-form metadata as given (insertion order kept), never null
 */
public record Submission(String text, String source, String url, String lang, String license, String externalId,
        Map<String, String> metadata) {

    public Submission {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(metadata, "metadata");
    }
}
