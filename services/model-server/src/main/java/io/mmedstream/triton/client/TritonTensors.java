package io.mmedstream.triton.client;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

/**
 * The KServe v2 raw tensor encodings Triton uses in {@code raw_input_contents} and {@code raw_output_contents}:
 * little-endian elements back to back; a BYTES element is a 4-byte little-endian length followed by that many bytes;
 * a BOOL element is one byte (0 or 1). Shared by the client and the local model server, so both sides read and
 * write exactly the same bytes.
 */
public final class TritonTensors {

    private TritonTensors() {
    }

    /** Raw form of a BYTES tensor. */
    public static ByteString bytesRaw(List<byte[]> elements) {
        int size = 0;
        for (byte[] e : elements) {
            size += 4 + e.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : elements) {
            out.putInt(e.length);
            out.put(e);
        }
        return ByteString.copyFrom(out.array());
    }

    /** Raw form of a one-element BYTES tensor holding UTF-8 text. */
    public static ByteString stringRaw(String text) {
        return bytesRaw(List.of(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The elements of a raw BYTES tensor.
     *
     * @throws IllegalArgumentException when a length prefix is cut short or runs past the end
     */
    public static List<byte[]> parseBytesRaw(ByteString raw) {
        ByteBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 4) {
                throw new IllegalArgumentException("raw BYTES data ends inside a 4-byte length prefix");
            }
            long length = Integer.toUnsignedLong(in.getInt());
            if (length > in.remaining()) {
                throw new IllegalArgumentException("raw BYTES element claims " + length + " bytes but only "
                        + in.remaining() + " remain");
            }
            byte[] element = new byte[(int) length];
            in.get(element);
            out.add(element);
        }
        return out;
    }

    /** Raw form of a BOOL tensor. */
    public static ByteString boolRaw(boolean... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) (values[i] ? 1 : 0);
        }
        return ByteString.copyFrom(out);
    }

    /** Raw form of a UINT32 tensor. */
    public static ByteString uint32Raw(long... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            out.putInt((int) v);
        }
        return ByteString.copyFrom(out.array());
    }

    /** The elements of a raw UINT32 tensor, as non-negative longs. */
    public static long[] parseUint32Raw(ByteString raw) {
        if (raw.size() % 4 != 0) {
            throw new IllegalArgumentException("raw UINT32 data of " + raw.size() + " bytes is not a multiple of 4");
        }
        ByteBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[raw.size() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = Integer.toUnsignedLong(in.getInt());
        }
        return out;
    }

    /** Strict UTF-8 decoding (malformed input is an error, not replaced). */
    public static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }
}
