package io.mmedstream.modelserver.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.modelserver.domain.TensorContract;
import io.mmedstream.modelserver.engine.DecodingParams;

/**
 * The {@code sampling_parameters} JSON of the vLLM tensor contract, read into {@link DecodingParams}. Keys and
 * defaults are vLLM's; numbers and booleans may also come as strings ("32", "true"), as Triton's vLLM backend
 * accepts. vLLM keys this server does not implement are accepted only with their neutral value (e.g. {@code n: 1},
 * {@code repetition_penalty: 1}); any other key is refused, naming it, so a request never silently means less than
 * it says.
 */
public final class SamplingParametersJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WHERE = TensorContract.SAMPLING_PARAMETERS + ": ";
    /** vLLM keys without effect here, and the one value each may take. */
    private static final Map<String, String> NEUTRAL = Map.ofEntries(Map.entry("n", "1"), Map.entry("best_of", "1"),
            Map.entry("presence_penalty", "0"), Map.entry("frequency_penalty", "0"),
            Map.entry("repetition_penalty", "1"), Map.entry("min_p", "0"), Map.entry("use_beam_search", "false"),
            Map.entry("length_penalty", "1"), Map.entry("spaces_between_special_tokens", "true"),
            Map.entry("detokenize", "true"));
    private static final Set<String> NULL_ONLY = Set.of("logprobs", "prompt_logprobs", "lora_name", "best_of",
            "truncate_prompt_tokens", "guided_decoding", "logit_bias", "allowed_token_ids", "bad_words");

    private SamplingParametersJson() {
    }

    /** Parses the JSON text; an empty text means every default. */
    public static DecodingParams parse(String json) {
        if (json == null || json.isBlank()) {
            return DecodingParams.defaults();
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ModelServerException.invalid(WHERE + "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ModelServerException.invalid(WHERE + "not readable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ModelServerException.invalid(WHERE + "must be a JSON object");
        }
        DecodingParams d = DecodingParams.defaults();
        int maxTokens = d.maxTokens();
        double temperature = d.temperature();
        double topP = d.topP();
        int topK = d.topK();
        Long seed = d.seed();
        List<String> stop = new ArrayList<>();
        List<Integer> stopTokenIds = new ArrayList<>();
        boolean ignoreEos = d.ignoreEos();
        int minTokens = d.minTokens();
        boolean includeStop = d.includeStopStrInOutput();
        boolean skipSpecial = d.skipSpecialTokens();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "max_tokens" -> {
                    if (!v.isNull()) {
                        maxTokens = (int) whole(key, v, 1, Integer.MAX_VALUE);
                    }
                }
                case "temperature" -> temperature = number(key, v, 0, Double.MAX_VALUE);
                case "top_p" -> {
                    topP = number(key, v, 0, 1);
                    if (topP <= 0) {
                        throw ModelServerException.invalid(WHERE + "top_p must be in (0, 1], got " + v);
                    }
                }
                case "top_k" -> {
                    topK = (int) whole(key, v, -1, Integer.MAX_VALUE);
                    topK = Math.max(topK, 0);
                }
                case "seed" -> seed = v.isNull() ? null : whole(key, v, Long.MIN_VALUE, Long.MAX_VALUE);
                case "stop" -> stop = strings(key, v);
                case "stop_token_ids" -> {
                    for (JsonNode id : array(key, v)) {
                        stopTokenIds.add((int) whole(key, id, 0, Integer.MAX_VALUE));
                    }
                }
                case "ignore_eos" -> ignoreEos = bool(key, v);
                case "min_tokens" -> minTokens = (int) whole(key, v, 0, Integer.MAX_VALUE);
                case "include_stop_str_in_output" -> includeStop = bool(key, v);
                case "skip_special_tokens" -> skipSpecial = bool(key, v);
                default -> checkNeutral(key, v);
            }
        }
        if (minTokens > maxTokens) {
            throw ModelServerException.invalid(WHERE + "min_tokens " + minTokens + " exceeds max_tokens " + maxTokens);
        }
        return new DecodingParams(maxTokens, temperature, topP, topK, seed, stop, stopTokenIds, ignoreEos, minTokens,
                includeStop, skipSpecial);
    }

    private static void checkNeutral(String key, JsonNode v) {
        if (v.isNull() && (NULL_ONLY.contains(key) || NEUTRAL.containsKey(key))) {
            return;
        }
        String neutral = NEUTRAL.get(key);
        if (neutral == null) {
            throw ModelServerException.invalid(WHERE + "'" + key + "' is not supported by this server");
        }
        boolean matches = neutral.equals("true") || neutral.equals("false")
                ? String.valueOf(bool(key, v)).equals(neutral)
                : number(key, v, -Double.MAX_VALUE, Double.MAX_VALUE) == Double.parseDouble(neutral);
        if (!matches) {
            throw ModelServerException.invalid(WHERE + "'" + key + "' is not supported by this server (only " + key
                    + "=" + neutral + ")");
        }
    }

    private static double number(String key, JsonNode v, double min, double max) {
        double x;
        if (v.isNumber()) {
            x = v.asDouble();
        } else if (v.isTextual()) {
            try {
                x = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                throw ModelServerException.invalid(WHERE + key + " must be a number, got " + v);
            }
        } else {
            throw ModelServerException.invalid(WHERE + key + " must be a number, got " + v);
        }
        if (!(x >= min && x <= max)) {
            throw ModelServerException.invalid(WHERE + key + " must be between " + min + " and " + max + ", got " + v);
        }
        return x;
    }

    private static long whole(String key, JsonNode v, long min, long max) {
        long x;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            x = v.asLong();
        } else if (v.isTextual()) {
            try {
                x = Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                throw ModelServerException.invalid(WHERE + key + " must be a whole number, got " + v);
            }
        } else {
            throw ModelServerException.invalid(WHERE + key + " must be a whole number, got " + v);
        }
        if (x < min || x > max) {
            throw ModelServerException.invalid(WHERE + key + " must be at least " + min + ", got " + v);
        }
        return x;
    }

    private static boolean bool(String key, JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw ModelServerException.invalid(WHERE + key + " must be true or false, got " + v);
    }

    private static List<String> strings(String key, JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        for (JsonNode s : array(key, v)) {
            if (!s.isTextual()) {
                throw ModelServerException.invalid(WHERE + key + " must be a string or a list of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static JsonNode array(String key, JsonNode v) {
        if (!v.isArray()) {
            throw ModelServerException.invalid(WHERE + key + " must be a list");
        }
        return v;
    }
}
