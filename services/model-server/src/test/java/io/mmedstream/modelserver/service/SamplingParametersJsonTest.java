package io.mmedstream.modelserver.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mmedstream.modelserver.engine.DecodingParams;

class SamplingParametersJsonTest {

    @Test
    void absentParametersAreVllmDefaults() {
        assertThat(SamplingParametersJson.parse(null)).isEqualTo(DecodingParams.defaults());
        assertThat(SamplingParametersJson.parse("{}")).isEqualTo(DecodingParams.defaults());
        assertThat(DecodingParams.defaults().maxTokens()).isEqualTo(16);
    }

    @Test
    void everySupportedKeyIsReadAndNumbersMayBeStrings() {
        DecodingParams p = SamplingParametersJson.parse("""
                {"max_tokens": "32", "temperature": 0.7, "top_p": "0.9", "top_k": 40, "seed": 11,
                 "stop": ["###", "</s>"], "stop_token_ids": [5], "ignore_eos": "true", "min_tokens": 2,
                 "include_stop_str_in_output": true, "skip_special_tokens": false,
                 "n": 1, "repetition_penalty": 1.0, "logprobs": null}""");
        assertThat(p).isEqualTo(new DecodingParams(32, 0.7, 0.9, 40, 11L, List.of("###", "</s>"), List.of(5), true, 2,
                true, false));
        assertThat(SamplingParametersJson.parse("{\"stop\": \"\\n\", \"top_k\": -1}").stop()).containsExactly("\n");
    }

    @Test
    void invalidOrUnsupportedParametersAreRefusedNamingTheTensorAndKey() {
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"max_tokens\": 0}"))
                .hasMessageContaining("sampling_parameters").hasMessageContaining("max_tokens");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"top_p\": 0}")).hasMessageContaining("top_p");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"temperature\": \"hot\"}"))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"n\": 3}")).hasMessageContaining("'n'");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"beam_width\": 3}"))
                .hasMessageContaining("'beam_width'");
        assertThatThrownBy(() -> SamplingParametersJson.parse("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{max_tokens: 1")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SamplingParametersJson.parse("{\"min_tokens\": 9, \"max_tokens\": 4}"))
                .hasMessageContaining("min_tokens");
    }
}
