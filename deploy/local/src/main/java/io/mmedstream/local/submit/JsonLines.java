package io.mmedstream.local.submit;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import io.mmedstream.local.cli.CommandException;

/**
 * Reads a JSON Lines file, plain or gzip-compressed (recognised by its content, not its name), one line at a time as
 * raw bytes: nothing is decoded or re-encoded, so a malformed line reaches Kafka exactly as it is in the file.
 * Line ends ({@code \n}, {@code \r\n}) are removed; blank lines are skipped.
 */
public final class JsonLines implements AutoCloseable {

    private static final int CHUNK = 1 << 16;

    private final InputStream in;
    private final CountingStream counted;
    private final long fileSize;
    private byte[] buffer = new byte[CHUNK];
    private int start;
    private int limit;
    private boolean eof;
    private long lineNumber;
    private long skippedBlank;

    private JsonLines(InputStream in, CountingStream counted, long fileSize) {
        this.in = in;
        this.counted = counted;
        this.fileSize = fileSize;
    }

    /**
     * Opens {@code file}.
     *
     * @throws CommandException when it does not exist or cannot be read
     */
    public static JsonLines open(Path file) {
        try {
            return read(Files.newInputStream(file), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new CommandException("no such file: " + file);
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads lines from a stream (a classpath resource, say), which it closes when closed.
     *
     * @param size the stream's length in bytes, for {@link #fractionRead()}
     */
    public static JsonLines read(InputStream raw, long size) throws IOException {
        CountingStream counted = new CountingStream(raw);
        BufferedInputStream buffered = new BufferedInputStream(counted, CHUNK);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(buffered, CHUNK) : buffered;
        return new JsonLines(in, counted, size);
    }

    /** The next non-blank line without its line end, or {@code null} at the end of the file. */
    public byte[] next() throws IOException {
        while (true) {
            byte[] line = rawLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
            if (!isBlank(line)) {
                return line;
            }
            skippedBlank++;
        }
    }

    /** Line number (1-based) of the line {@link #next()} returned last. */
    public long lineNumber() {
        return lineNumber;
    }

    /** Blank lines skipped so far. */
    public long skippedBlank() {
        return skippedBlank;
    }

    /** Share of the file read so far, 0 to 1 (of the compressed bytes for a gzip file). */
    public double fractionRead() {
        return fileSize == 0 ? 1 : Math.min(1.0, (double) counted.count / fileSize);
    }

    private byte[] rawLine() throws IOException {
        int scanFrom = start;
        while (true) {
            for (int i = scanFrom; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > start && buffer[i - 1] == '\r' ? i - 1 : i;
                    byte[] line = Arrays.copyOfRange(buffer, start, end);
                    start = i + 1;
                    return line;
                }
            }
            if (eof) {
                if (start == limit) {
                    return null;
                }
                int end = buffer[limit - 1] == '\r' ? limit - 1 : limit;
                byte[] line = Arrays.copyOfRange(buffer, start, end);
                start = limit;
                return line;
            }
            scanFrom = limit - start;
            fill();
        }
    }

    /** Moves the unread bytes to the front, grows the buffer for long lines, and reads more. */
    private void fill() throws IOException {
        int unread = limit - start;
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, unread);
        } else if (unread == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        start = 0;
        limit = unread;
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static final class CountingStream extends FilterInputStream {
        private volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
