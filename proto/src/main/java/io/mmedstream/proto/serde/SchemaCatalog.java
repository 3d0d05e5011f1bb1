package io.mmedstream.proto.serde;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The writer schemas this process knows, by fingerprint. Every schema a process writes or reads with is registered
 * on first use; older versions of a contract can be registered explicitly so that a newer consumer resolves records
 * written with them field by field.
 */
public final class SchemaCatalog {

    /** First two bytes of Avro single-object encoding. */
    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_SIZE = 10;

    private static final Map<Long, Schema> BY_FINGERPRINT = new ConcurrentHashMap<>();
    private static final Map<Schema, Long> FINGERPRINTS = new ConcurrentHashMap<>();

    private SchemaCatalog() {
    }

    /** Fingerprint (CRC-64-AVRO of the parsing canonical form) of a schema, registering it. */
    public static long fingerprint(Schema schema) {
        return FINGERPRINTS.computeIfAbsent(schema, s -> {
            long fp = SchemaNormalization.parsingFingerprint64(s);
            BY_FINGERPRINT.putIfAbsent(fp, s);
            return fp;
        });
    }

    /** Makes a writer schema known, e.g. an older version of a contract. */
    public static void register(Schema schema) {
        fingerprint(schema);
    }

    /** The known writer schema with that fingerprint, or null. */
    static Schema lookup(long fingerprint) {
        return BY_FINGERPRINT.get(fingerprint);
    }

    static void writeHeader(ByteArrayOutputStream out, long fingerprint) {
        out.write(MARKER_0);
        out.write(MARKER_1);
        byte[] fp = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
        out.write(fp, 0, fp.length);
    }
}
