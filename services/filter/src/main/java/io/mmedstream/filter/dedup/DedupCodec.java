package io.mmedstream.filter.dedup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;

import io.mmedstream.proto.serde.AvroSerializer;
import io.mmedstream.proto.serde.SchemaCatalog;

/**
 * Values of the dedup state topics: Avro single-object encoding (the serde of every internal topic), with schemas
 * private to the filter, like a Kafka Streams store's changelog. History: v1 (initial). Evolve only by appending
 * optional fields with defaults: a reader meeting an unknown (newer) writer fingerprint reads with its own schema,
 * which is then a prefix of the writer's.
 */
public final class DedupCodec {

    /** An exact-dedup changelog value: {@link ExactEntry}. */
    public static final Schema EXACT_SCHEMA = SchemaBuilder.record("FilterDedupExactEntry")
            .namespace("io.mmedstream.filter.dedup")
            .doc("An accepted document's exact-dedup state. Topic mmed.filter.dedup-exact.v1, keyed by doc_id, in the "
                    + "input partition. Produced and read by filter. History: v1 (initial).")
            .fields()
            .name("doc_id").doc("The doc_id (hash of the normalised text).").type().stringType().noDefault()
            .name("ingested_event_id").doc("event_id of the DocumentIngested accepted first.").type().stringType()
            .noDefault()
            .name("ingested_partition").doc("Its partition of mmed.docs.ingested.v1.").type().intType().noDefault()
            .name("ingested_offset").doc("Its offset there.").type().longType().noDefault()
            .name("origin_topic").doc("Topic of its submission.").type().stringType().noDefault()
            .name("origin_partition").doc("Partition of its submission.").type().intType().noDefault()
            .name("origin_offset").doc("Offset of its submission.").type().longType().noDefault()
            .name("source").doc("The submitter's source name.").type().stringType().noDefault()
            .name("accepted_at").doc("When it was accepted, epoch milliseconds.").type().longType().noDefault()
            .name("instance_id").doc("The filter instance that accepted it.").type().stringType().noDefault()
            .endRecord();

    /** A MinHash topic value: {@link NearEntry}. */
    public static final Schema NEAR_SCHEMA = SchemaBuilder.record("FilterDedupMinHashEntry")
            .namespace("io.mmedstream.filter.dedup")
            .doc("An accepted document's MinHash signature. Topic mmed.filter.dedup-minhash.v1, keyed by doc_id, in "
                    + "the input partition. Produced by filter, read in full by every filter instance. "
                    + "History: v1 (initial).")
            .fields()
            .name("doc_id").doc("The doc_id.").type().stringType().noDefault()
            .name("lang").doc("Detected language.").type().stringType().noDefault()
            .name("scheme").doc("Signature scheme (shingling, bands x rows, seed); only equal schemes compare.")
            .type().stringType().noDefault()
            .name("signature").doc("The MinHash values, 4 bytes each, big-endian.").type().bytesType().noDefault()
            .name("ingested_partition").doc("Partition of mmed.docs.ingested.v1 it was read from.").type().intType()
            .noDefault()
            .name("ingested_offset").doc("Its offset there.").type().longType().noDefault()
            .name("accepted_at").doc("When it was accepted, epoch milliseconds.").type().longType().noDefault()
            .name("instance_id").doc("The filter instance that accepted it.").type().stringType().noDefault()
            .endRecord();

    static {
        SchemaCatalog.register(EXACT_SCHEMA);
        SchemaCatalog.register(NEAR_SCHEMA);
    }

    private static final int HEADER_SIZE = 10;

    private DedupCodec() {
    }

    public static byte[] encode(ExactEntry e) {
        GenericRecord r = new GenericData.Record(EXACT_SCHEMA);
        r.put("doc_id", e.docId());
        r.put("ingested_event_id", e.ingestedEventId());
        r.put("ingested_partition", e.partition());
        r.put("ingested_offset", e.offset());
        r.put("origin_topic", e.originTopic());
        r.put("origin_partition", e.originPartition());
        r.put("origin_offset", e.originOffset());
        r.put("source", e.source());
        r.put("accepted_at", e.acceptedAtMillis());
        r.put("instance_id", e.instanceId());
        return AvroSerializer.encode(r);
    }

    public static byte[] encode(NearEntry e) {
        ByteBuffer signature = ByteBuffer.allocate(e.signature().length * Integer.BYTES);
        signature.asIntBuffer().put(e.signature());
        GenericRecord r = new GenericData.Record(NEAR_SCHEMA);
        r.put("doc_id", e.docId());
        r.put("lang", e.lang());
        r.put("scheme", e.scheme());
        r.put("signature", signature);
        r.put("ingested_partition", e.partition());
        r.put("ingested_offset", e.offset());
        r.put("accepted_at", e.acceptedAtMillis());
        r.put("instance_id", e.instanceId());
        return AvroSerializer.encode(r);
    }

    public static ExactEntry decodeExact(byte[] value) {
        GenericRecord r = read(value, EXACT_SCHEMA);
        return new ExactEntry(str(r, "doc_id"), str(r, "ingested_event_id"), (Integer) r.get("ingested_partition"),
                (Long) r.get("ingested_offset"), str(r, "origin_topic"), (Integer) r.get("origin_partition"),
                (Long) r.get("origin_offset"), str(r, "source"), (Long) r.get("accepted_at"), str(r, "instance_id"));
    }

    public static NearEntry decodeNear(byte[] value) {
        GenericRecord r = read(value, NEAR_SCHEMA);
        ByteBuffer bytes = (ByteBuffer) r.get("signature");
        if (bytes.remaining() % Integer.BYTES != 0) {
            throw new SerializationException("a MinHash signature of " + bytes.remaining() + " bytes");
        }
        int[] signature = new int[bytes.remaining() / Integer.BYTES];
        bytes.duplicate().order(ByteOrder.BIG_ENDIAN).asIntBuffer().get(signature);
        return new NearEntry(str(r, "doc_id"), str(r, "lang"), str(r, "scheme"), signature,
                (Integer) r.get("ingested_partition"), (Long) r.get("ingested_offset"), (Long) r.get("accepted_at"),
                str(r, "instance_id"));
    }

    private static GenericRecord read(byte[] value, Schema reader) {
        if (value == null || value.length < HEADER_SIZE || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
            throw new SerializationException("not Avro single-object encoding: " + reader.getName());
        }
        // Only v1 exists, so the writer fingerprint (bytes 2-9) is ours or a newer version's; append-only evolution
        // makes our schema a prefix of a newer one, so both are read with our schema. An older version, once there
        // is one, will need resolving by its fingerprint.
        try {
            return new GenericDatumReader<GenericRecord>(reader).read(null,
                    DecoderFactory.get().binaryDecoder(value, HEADER_SIZE, value.length - HEADER_SIZE, null));
        } catch (Exception e) {
            throw new SerializationException("cannot read " + reader.getName() + " from " + value.length + " bytes",
                    e);
        }
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }
}
