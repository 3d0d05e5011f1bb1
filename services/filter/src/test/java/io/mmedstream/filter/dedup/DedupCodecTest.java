package io.mmedstream.filter.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class DedupCodecTest {

    @Test
    void exactEntryRoundTrips() {
        ExactEntry entry = new ExactEntry("d0123", "e-1", 2, 41L, "mmed.docs.submitted.v1", 1, 7L, "crawl",
                1_700_000_000_123L, "filter-a");

        assertThat(DedupCodec.decodeExact(DedupCodec.encode(entry))).isEqualTo(entry);
    }

    @Test
    void nearEntryRoundTripsWithItsSignature() {
        int[] signature = new int[112];
        for (int i = 0; i < signature.length; i++) {
            signature[i] = i * 0x9e3779b9;
        }
        NearEntry entry = new NearEntry("d0123", "zh", "minhash1-test", signature, 0, 5L, 1_700_000_000_000L, "a");

        NearEntry back = DedupCodec.decodeNear(DedupCodec.encode(entry));

        assertThat(back.signature()).containsExactly(signature);
        assertThat(back.docId()).isEqualTo("d0123");
        assertThat(back.lang()).isEqualTo("zh");
        assertThat(back.scheme()).isEqualTo("minhash1-test");
        assertThat(back.partition()).isZero();
        assertThat(back.offset()).isEqualTo(5L);
        assertThat(back.instanceId()).isEqualTo("a");
    }

    @Test
    void garbageIsASerializationException() {
        assertThatThrownBy(() -> DedupCodec.decodeNear("not avro".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class);
    }
}
