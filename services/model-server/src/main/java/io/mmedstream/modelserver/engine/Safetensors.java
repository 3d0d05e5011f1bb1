package io.mmedstream.modelserver.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.modelserver.service.ModelServerException;

/**
 * Reads tensors from safetensors files, single ({@code model.safetensors}) or sharded
 * ({@code model.safetensors.index.json} + the files its {@code weight_map} names), as floats.
 *
 * <p>File layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the first byte after the header; an
 * optional {@code "__metadata__"} entry holds strings), then the raw little-endian tensor bytes. F32, F16 and BF16
 * tensors are converted to float exactly (every F16 and BF16 value is a float). Files are read through a bounded
 * buffer, so tensors larger than 2 GiB on disk and files of any size work without memory-mapping.
 */
public final class Safetensors {

    /** File of an unsharded checkpoint. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** Index of a sharded checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int CHUNK_BYTES = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one tensor lives: its file, dtype, shape and absolute byte range in the file. */
    public record TensorInfo(Path file, String name, String dtype, long[] shape, long begin, long end) {

        /** Number of elements (the product of the shape; 1 for a scalar). */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    private final Map<String, TensorInfo> tensors;

    private Safetensors(Map<String, TensorInfo> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens the weights of a checkpoint directory: the index when there is one, else {@value #SINGLE_FILE}. */
    public static Safetensors openCheckpoint(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openIndex(index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return new Safetensors(readHeader(single));
        }
        throw ModelServerException.badModel(dir + " holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
    }

    /** Opens one safetensors file. */
    public static Safetensors openFile(Path file) {
        return new Safetensors(readHeader(file));
    }

    private static Safetensors openIndex(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw ModelServerException.badModel(index + " is not readable JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root.path("weight_map");
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw ModelServerException.badModel(index + " has no weight_map");
        }
        Map<String, List<String>> namesByFile = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText("");
            if (file.isEmpty() || file.contains("/") || file.contains("\\")) {
                throw ModelServerException.badModel(index + ": tensor " + e.getKey() + " maps to a bad file name '"
                        + file + "'");
            }
            namesByFile.computeIfAbsent(file, f -> new ArrayList<>()).add(e.getKey());
        }
        Map<String, TensorInfo> all = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : namesByFile.entrySet()) {
            Path file = index.resolveSibling(e.getKey());
            Map<String, TensorInfo> inFile = readHeader(file);
            for (String name : e.getValue()) {
                TensorInfo info = inFile.get(name);
                if (info == null) {
                    throw ModelServerException.badModel(index + " maps " + name + " to " + e.getKey()
                            + ", which does not hold it");
                }
                all.put(name, info);
            }
        }
        return new Safetensors(all);
    }

    /** Parses and checks one file's header; the returned byte ranges are absolute file offsets. */
    static Map<String, TensorInfo> readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw ModelServerException.badModel(file + ": header length " + Long.toUnsignedString(headerLength)
                        + " is impossible for a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            if (!root.isObject()) {
                throw ModelServerException.badModel(file + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            Map<String, TensorInfo> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                out.put(e.getKey(), tensorInfo(file, e.getKey(), e.getValue(), dataStart, size));
            }
            return out;
        } catch (IOException e) {
            throw ModelServerException.badModel("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode node, long dataStart, long fileSize) {
        String dtype = node.path("dtype").asText("");
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (dtype.isEmpty() || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw ModelServerException.badModel(file + ": tensor " + name + " lacks dtype, shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw ModelServerException.badModel(file + ": tensor " + name + " has a negative dimension");
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        TensorInfo info = new TensorInfo(file, name, dtype, shape, dataStart + begin, dataStart + end);
        int width = elementBytes(dtype);
        if (begin < 0 || end < begin || dataStart + end > fileSize) {
            throw ModelServerException.badModel(file + ": tensor " + name + " has data offsets [" + begin + ", "
                    + end + "] outside the file");
        }
        if (width > 0 && end - begin != info.elementCount() * width) {
            throw ModelServerException.badModel(file + ": tensor " + name + " of shape "
                    + java.util.Arrays.toString(shape) + " and dtype " + dtype + " needs "
                    + info.elementCount() * width + " bytes, its offsets give " + (end - begin));
        }
        return info;
    }

    /** Bytes per element of a dtype code, or 0 for one this reader does not know. */
    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** Names of every tensor. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** Whether a tensor of that name exists. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor's values as floats, flattened row-major, after checking its shape.
     *
     * @param expectedShape the shape the model needs
     */
    public float[] floats(String name, long... expectedShape) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw ModelServerException.badModel("checkpoint lacks tensor " + name);
        }
        if (!java.util.Arrays.equals(info.shape(), expectedShape)) {
            throw ModelServerException.badModel("tensor " + name + " has shape " + java.util.Arrays.toString(info.shape())
                    + ", the model expects " + java.util.Arrays.toString(expectedShape));
        }
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw ModelServerException.badModel("tensor " + name + " has " + count + " elements, more than a Java array "
                    + "holds");
        }
        float[] out = new float[(int) count];
        String dtype = info.dtype();
        int width = elementBytes(dtype);
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw ModelServerException.badModel("tensor " + name + " has dtype " + dtype
                    + "; only F32, F16 and BF16 weights are supported");
        }
        try (FileChannel ch = FileChannel.open(info.file(), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK_BYTES, (int) Math.min(Integer.MAX_VALUE,
                    Math.max(width, info.end() - info.begin())))).order(ByteOrder.LITTLE_ENDIAN);
            long position = info.begin();
            int index = 0;
            while (position < info.end()) {
                buf.clear();
                long remaining = info.end() - position;
                if (remaining < buf.capacity()) {
                    buf.limit((int) remaining);
                }
                readFully(ch, buf, position);
                buf.flip();
                position += buf.remaining();
                switch (dtype) {
                    case "F32" -> {
                        while (buf.remaining() >= 4) {
                            out[index++] = buf.getFloat();
                        }
                    }
                    case "BF16" -> {
                        while (buf.remaining() >= 2) {
                            out[index++] = Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
                        }
                    }
                    default -> {
                        while (buf.remaining() >= 2) {
                            out[index++] = halfToFloat(buf.getShort());
                        }
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw ModelServerException.badModel("cannot read tensor " + name + " from " + info.file() + ": "
                    + e.getMessage(), e);
        }
    }

    /** IEEE 754 binary16 to float (exact; Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // zero or subnormal
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13)); // infinity or NaN
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
