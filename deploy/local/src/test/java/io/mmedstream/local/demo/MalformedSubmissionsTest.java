package io.mmedstream.local.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.proto.Topics;

class MalformedSubmissionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, byte[]> byReason = MalformedSubmissions.all().stream().collect(
            Collectors.toMap(MalformedSubmissions.Malformed::expectedReason, MalformedSubmissions.Malformed::value));

    private static JsonNode parse(byte[] value) throws Exception {
        return JSON.readTree(value);
    }

    @Test
    void coversEveryKindOfFaultOnce() {
        assertThat(byReason).containsOnlyKeys("malformed_json", "invalid_utf8", "blank_text", "missing_field",
                "wrong_type", "not_an_object", "too_large");
    }

    @Test
    void eachIsFaultyInExactlyTheWayItsReasonSays() throws Exception {
        assertThatThrownBy(() -> parse(byReason.get("malformed_json"))).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(byReason.get("invalid_utf8"))))
                .isInstanceOf(CharacterCodingException.class);
        assertThat(parse(byReason.get("blank_text")).get("text").asText()).isBlank();
        JsonNode missing = parse(byReason.get("missing_field"));
        assertThat(missing.has("source")).isFalse();
        assertThat(missing.get("text").asText()).isNotBlank();
        assertThat(parse(byReason.get("wrong_type")).get("text").isNumber()).isTrue();
        assertThat(parse(byReason.get("not_an_object")).isArray()).isTrue();
    }

    @Test
    void theOversizedOneIsValidButItsTextExceedsTheLimitWhileTheRecordFitsKafka() throws Exception {
        byte[] value = byReason.get("too_large");
        JsonNode node = parse(value);

        assertThat(node.get("source").asText()).isNotBlank();
        assertThat(node.get("text").asText().getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(Topics.MAX_TEXT_BYTES);
        assertThat(value.length).isLessThan(Topics.MAX_RECORD_BYTES);
    }

    @Test
    void otherwiseValidSubmissionsNameASource() throws Exception {
        for (String reason : new String[] {"blank_text", "wrong_type", "too_large"}) {
            assertThat(parse(byReason.get(reason)).has("source")).as(reason).isTrue();
        }
        assertThat(MalformedSubmissions.all()).extracting(MalformedSubmissions.Malformed::description)
                .allSatisfy(d -> assertThat(d).isNotBlank());
        assertThat(MalformedSubmissions.all().stream().map(MalformedSubmissions.Malformed::expectedReason)
                .collect(Collectors.toMap(Function.identity(), r -> 1, Integer::sum)).values()).containsOnly(1);
    }
}
