package io.mmedstream.local.submit;

import java.io.IOException;
import java.util.List;

/** Submissions to send, one value at a time. */
public interface SubmissionSource {

    /** The next submission's value bytes, or {@code null} when there are no more. */
    byte[] next() throws IOException;

    /** How much of the source has been read, 0 to 1, for a progress bar. */
    double fractionRead();

    /** A source over values already in memory. */
    static SubmissionSource of(List<byte[]> values) {
        return new SubmissionSource() {
            private int i;

            @Override
            public byte[] next() {
                return i < values.size() ? values.get(i++) : null;
            }

            @Override
            public double fractionRead() {
                return values.isEmpty() ? 1 : (double) i / values.size();
            }
        };
    }

    /** A JSON Lines file, each line one submission. */
    static SubmissionSource of(JsonLines lines) {
        return new SubmissionSource() {
            @Override
            public byte[] next() throws IOException {
                return lines.next();
            }

            @Override
            public double fractionRead() {
                return lines.fractionRead();
            }
        };
    }
}
