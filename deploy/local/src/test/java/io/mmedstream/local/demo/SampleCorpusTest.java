package io.mmedstream.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SampleCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoCorpusHasDocumentsInEverySupportedLanguage() {
        Map<String, List<byte[]>> corpus = SampleCorpus.load();

        assertThat(corpus.keySet()).containsExactlyElementsOf(SampleCorpus.LANGUAGES);
        corpus.forEach((lang, docs) -> assertThat(docs).as(lang).hasSizeGreaterThanOrEqualTo(10));
    }

    @Test
    void everySampleIsAValidDistinctSubmission() throws Exception {
        Set<String> texts = new HashSet<>();
        for (Map.Entry<String, List<byte[]>> entry : SampleCorpus.load().entrySet()) {
            for (byte[] line : entry.getValue()) {
                JsonNode doc = JSON.readTree(line);
                assertThat(doc.path("text").isTextual()).as(entry.getKey() + ": " + doc).isTrue();
                assertThat(doc.path("text").asText()).isNotBlank();
                assertThat(doc.path("source").asText()).as(entry.getKey() + ": " + doc).isNotBlank();
                if (doc.has("lang")) {
                    assertThat(doc.get("lang").asText()).isEqualTo(entry.getKey());
                }
                assertThat(texts.add(doc.get("text").asText())).as("duplicate text in " + entry.getKey()).isTrue();
            }
        }
    }
}
