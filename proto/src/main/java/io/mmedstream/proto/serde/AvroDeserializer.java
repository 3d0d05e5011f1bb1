package io.mmedstream.proto.serde;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records written by {@link AvroSerializer} into a generated class.
 *
 * <p>Schema evolution without a registry: when the writer schema's fingerprint is known (this process's own schema,
 * or an older version registered in {@link SchemaCatalog}), Avro's schema resolution maps it to the reader schema
 * field by field. When it is not known, the record was written by a newer version of the contract; because contracts
 * evolve only by appending optional fields with defaults, the reader's schema is a prefix of the writer's, so the
 * record is read with the reader schema and the appended fields are skipped.
 *
 * <p>The target class is given to the constructor, or as the Kafka config key {@value #TYPE_CONFIG} (a channel
 * attribute in SmallRye), e.g. {@code mp.messaging.incoming.in.mmed.avro.type=io.mmedstream.proto.DocumentIngested}.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    /** Kafka config key naming the generated class to read into. */
    public static final String TYPE_CONFIG = "mmed.avro.type";

    private Class<T> type;
    private Schema readerSchema;
    private SpecificData model;

    /** For Kafka's reflective construction; the type then comes from {@value #TYPE_CONFIG}. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(Class<T> type) {
        setType(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object configured = configs.get(TYPE_CONFIG);
        if (configured == null) {
            if (type == null) {
                throw new IllegalArgumentException("AvroDeserializer needs the config " + TYPE_CONFIG);
            }
            return;
        }
        try {
            Class<?> cls = configured instanceof Class<?> c ? c
                    : Class.forName(configured.toString(), true, Thread.currentThread().getContextClassLoader());
            setType((Class<T>) cls);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(TYPE_CONFIG + " names an unknown class: " + configured, e);
        }
    }

    private void setType(Class<T> type) {
        this.type = type;
        // Resolve record classes through the type's own class loader: under Quarkus tests (and any container with
        // layered class loaders) Avro may be loaded by a parent loader that sees a different copy of the classes.
        SpecificData shared = SpecificData.getForClass(type);
        this.model = new SpecificData(type.getClassLoader());
        shared.getConversions().forEach(model::addLogicalTypeConversion);
        this.readerSchema = model.getSchema(type);
        SchemaCatalog.register(readerSchema);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    /** Decodes one single-object-encoded record. */
    public T decode(byte[] data) {
        if (type == null) {
            throw new IllegalStateException("AvroDeserializer is not configured with a type");
        }
        if (data.length < SchemaCatalog.HEADER_SIZE || data[0] != SchemaCatalog.MARKER_0
                || data[1] != SchemaCatalog.MARKER_1) {
            throw new SerializationException("not Avro single-object encoding (bad marker) for "
                    + type.getSimpleName() + ", " + data.length + " bytes");
        }
        long fingerprint = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = SchemaCatalog.lookup(fingerprint);
        if (writer == null) {
            writer = readerSchema; // newer writer: append-only evolution makes our schema its prefix
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, SchemaCatalog.HEADER_SIZE,
                    data.length - SchemaCatalog.HEADER_SIZE, null);
            SpecificDatumReader<T> reader = new SpecificDatumReader<>(writer, readerSchema, model);
            return reader.read(null, decoder);
        } catch (Exception e) {
            throw new SerializationException("cannot read " + type.getSimpleName() + " from "
                    + data.length + " bytes", e);
        }
    }
}
