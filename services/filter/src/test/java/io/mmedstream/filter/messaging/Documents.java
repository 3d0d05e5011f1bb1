package io.mmedstream.filter.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.SourcePosition;
import io.mmedstream.proto.Topics;

/** Builds DocumentIngested events the way ingest does, for tests. */
final class Documents {

    private Documents() {
    }

    static DocumentIngested ingested(String docId, String text, String declaredLang) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return DocumentIngested.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(now)
                .setDocId(docId)
                .setText(text)
                .setSource("filter-test")
                .setUrl("https://example.org/" + docId)
                .setDeclaredLang(declaredLang)
                .setLicense("CC-BY-4.0")
                .setExternalId("ext-" + docId)
                .setMetadata(Map.of("case", "test"))
                .setCharCount(text.codePointCount(0, text.length()))
                .setByteCount(text.getBytes(StandardCharsets.UTF_8).length)
                .setSubmittedAt(now)
                .setOrigin(SourcePosition.newBuilder().setTopic(Topics.DOCS_SUBMITTED).setPartition(0).setOffset(0)
                        .build())
                .build();
    }

    /** A fresh id in ingest's format. */
    static String newDocId() {
        return "d" + UUID.randomUUID().toString().replace("-", "");
    }
}
