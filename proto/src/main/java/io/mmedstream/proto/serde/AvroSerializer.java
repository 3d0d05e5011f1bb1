package io.mmedstream.proto.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes any Avro record (generated or generic) in Avro single-object encoding: the two marker bytes C3 01, the
 * 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then Avro binary. The fingerprint lets a reader
 * pick the right writer schema without a schema registry; see {@link AvroDeserializer} for how evolution works.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    private static final ThreadLocal<ByteArrayOutputStream> BUFFERS =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(4096));

    /** Serialises one record to its single-object encoding. */
    public static byte[] encode(GenericContainer record) {
        ByteArrayOutputStream out = BUFFERS.get();
        out.reset();
        try {
            SchemaCatalog.writeHeader(out, SchemaCatalog.fingerprint(record.getSchema()));
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer(record).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + record.getSchema().getFullName() + " as Avro", e);
        }
        byte[] bytes = out.toByteArray();
        if (out.size() > 1 << 20) {
            BUFFERS.remove(); // do not pin a large buffer to the thread
        }
        return bytes;
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writer(GenericContainer record) {
        if (record instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForSchema(record.getSchema()));
        }
        return new GenericDatumWriter<>(record.getSchema());
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }
}
