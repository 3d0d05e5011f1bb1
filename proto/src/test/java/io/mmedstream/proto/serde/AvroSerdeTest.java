package io.mmedstream.proto.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.mmedstream.proto.DocumentIngested;
import io.mmedstream.proto.DocumentRejected;
import io.mmedstream.proto.SourcePosition;

class AvroSerdeTest {

    static DocumentIngested sample() {
        return DocumentIngested.newBuilder()
                .setEventId("e-1")
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setDocId("d0123")
                .setText("Le patient présente une fièvre.\n高血压")
                .setSource("test")
                .setDeclaredLang("fr")
                .setMetadata(Map.of("k", "v"))
                .setCharCount(34)
                .setByteCount(40)
                .setSubmittedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setOrigin(new SourcePosition("mmed.docs.submitted.v1", 2, 41L))
                .build();
    }

    @Test
    void roundTripsAGeneratedRecord() {
        DocumentIngested doc = sample();
        byte[] bytes = new AvroSerializer<DocumentIngested>().serialize("t", doc);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        DocumentIngested back = new AvroDeserializer<>(DocumentIngested.class).deserialize("t", bytes);
        assertThat(back).isEqualTo(doc);
    }

    /** A consumer built with the current schema reads a record written by a newer one with an appended field. */
    @Test
    void olderConsumerReadsRecordWithAppendedOptionalField() {
        Schema current = DocumentIngested.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        Schema optionalString = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        fields.add(new Schema.Field("quality_tier", optionalString, "added in v2", Schema.Field.NULL_DEFAULT_VALUE));
        Schema newer = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);

        GenericRecord written = new GenericData.Record(newer);
        DocumentIngested doc = sample();
        for (Schema.Field f : current.getFields()) {
            Object value = doc.get(f.name());
            written.put(f.name(), toGeneric(value, f.schema()));
        }
        written.put("quality_tier", "gold");

        byte[] bytes = AvroSerializer.encode(written);
        // A process that never saw the newer schema: forget it so the reader must fall back to its own.
        DocumentIngested read = new AvroDeserializer<>(DocumentIngested.class).decode(bytesWithUnknownFingerprint(bytes));
        assertThat(read).isEqualTo(doc);
        // A process that knows the newer writer schema resolves it field by field.
        assertThat(new AvroDeserializer<>(DocumentIngested.class).decode(bytes)).isEqualTo(doc);
    }

    private static Object toGeneric(Object value, Schema schema) {
        if (value instanceof SourcePosition p) {
            Schema s = schema;
            GenericRecord r = new GenericData.Record(s);
            r.put("topic", p.getTopic());
            r.put("partition", p.getPartition());
            r.put("offset", p.getOffset());
            return r;
        }
        if (value instanceof Instant i) {
            return i.toEpochMilli();
        }
        return value;
    }

    private static byte[] bytesWithUnknownFingerprint(byte[] bytes) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy, 2, 8).putLong(0x5EED_F00D_0000_0001L);
        return copy;
    }

    @Test
    void rejectsBytesThatAreNotSingleObjectEncoded() {
        AvroDeserializer<DocumentRejected> deserializer = new AvroDeserializer<>(DocumentRejected.class);
        assertThatThrownBy(() -> deserializer.deserialize("t", "{\"text\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("bad marker");
    }

    @Test
    void typeComesFromKafkaConfig() {
        AvroDeserializer<DocumentIngested> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of(AvroDeserializer.TYPE_CONFIG, DocumentIngested.class.getName()), false);
        assertThat(deserializer.deserialize("t", AvroSerializer.encode(sample()))).isEqualTo(sample());
    }
}
