package io.mmedstream.modelserver.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mmedstream.modelserver.service.ModelServerException.Reason;

class ModelRepositoryTest {

    /** The config.pbtxt the README documents. */
    static final String CONFIG = """
            # MMedStream local model server
            name: "mmed"
            backend: "mmed-llama"
            max_batch_size: 0
            model_transaction_policy { decoupled: true }
            version_policy: { latest: { num_versions: 1 } }
            input [
              { name: "text_input", data_type: TYPE_STRING, dims: [ 1 ] },
              { name: "stream", data_type: TYPE_BOOL, dims: [ 1 ], optional: true },
              { name: "sampling_parameters", data_type: TYPE_STRING, dims: [ 1 ], optional: true },
              { name: "exclude_input_in_output", data_type: TYPE_BOOL, dims: [ 1 ], optional: true }
            ]
            output [ { name: "text_output", data_type: TYPE_STRING, dims: [ -1 ] } ]
            parameters { key: "max_context" value: { string_value: "512" } }
            instance_group [ { count: 1, kind: KIND_CPU } ]
            """;

    @TempDir
    Path root;

    private Path model(String name, String config, String... versionFolders) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        if (config != null) {
            Files.writeString(dir.resolve(ModelRepository.CONFIG_FILE), config);
        }
        for (String v : versionFolders) {
            Files.createDirectories(dir.resolve(v));
        }
        return dir;
    }

    @Test
    void onlyNumericVersionFoldersWithoutLeadingZeroCount() throws Exception {
        model("mmed", CONFIG, "1", "2", "10", "03", "0", "abc", "-1");
        Files.writeString(root.resolve("mmed/7"), "a file, not a folder");
        ModelRepository repo = new ModelRepository(root);
        assertThat(repo.versions("mmed")).containsExactly(1L, 2L, 10L);
    }

    @Test
    void modelNamesAreTheFoldersSortedWithoutHiddenOnes() throws Exception {
        model("zeta", CONFIG, "1");
        model("alpha", CONFIG, "1");
        model(".cache", CONFIG, "1");
        Files.writeString(root.resolve("README.txt"), "not a model");
        assertThat(new ModelRepository(root).modelNames()).containsExactly("alpha", "zeta");
    }

    @Test
    void documentedConfigParsesAndLatestPolicyPicksTheHighestVersion() throws Exception {
        model("mmed", CONFIG, "1", "2", "10");
        ModelRepository.ModelDefinition def = new ModelRepository(root).define("mmed", null);
        assertThat(def.configuration().backend()).isEqualTo("mmed-llama");
        assertThat(def.configuration().decoupled()).isTrue();
        assertThat(def.configuration().maxContext()).isEqualTo(512);
        assertThat(def.checkpoints()).containsOnlyKeys(10L);
        assertThat(def.checkpoints().get(10L)).isEqualTo(root.resolve("mmed/10"));
    }

    @Test
    void versionPoliciesLatestNAllAndSpecific() throws Exception {
        model("mmed", "backend: \"mmed-llama\"", "1", "2", "3");
        ModelRepository repo = new ModelRepository(root);
        String latestTwo = "{\"backend\": \"mmed-llama\", \"version_policy\": {\"latest\": {\"num_versions\": 2}}}";
        String all = "{\"backend\": \"mmed-llama\", \"version_policy\": {\"all\": {}}}";
        String specific = "{\"backend\": \"mmed-llama\", \"version_policy\": {\"specific\": {\"versions\": [1, 3]}}}";
        assertThat(repo.define("mmed", null).checkpoints()).containsOnlyKeys(3L);
        assertThat(repo.define("mmed", latestTwo).checkpoints()).containsOnlyKeys(2L, 3L);
        assertThat(repo.define("mmed", all).checkpoints()).containsOnlyKeys(1L, 2L, 3L);
        assertThat(repo.define("mmed", specific).checkpoints()).containsOnlyKeys(1L, 3L);

        Files.writeString(root.resolve("mmed/config.pbtxt"),
                "backend: \"mmed-llama\"\nversion_policy: { specific: { versions: [2] } }\n");
        assertThat(repo.define("mmed", null).checkpoints()).containsOnlyKeys(2L);
        Files.writeString(root.resolve("mmed/config.pbtxt"), "backend: \"mmed-llama\"\nversion_policy: { all { } }\n");
        assertThat(repo.define("mmed", null).checkpoints()).containsOnlyKeys(1L, 2L, 3L);
    }

    @Test
    void specificVersionWithoutFolderIsABadModel() throws Exception {
        model("mmed", "backend: \"mmed-llama\" version_policy { specific { versions: 4 } }", "1");
        assertThatThrownBy(() -> new ModelRepository(root).define("mmed", null))
                .isInstanceOfSatisfying(ModelServerException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MODEL))
                .hasMessageContaining("[4]");
    }

    @Test
    void badConfigurationsAreRefusedWithTheReason() throws Exception {
        ModelRepository repo = new ModelRepository(root);
        model("noconfig", null, "1");
        model("novers", CONFIG.replace("\"mmed\"", "\"novers\""));
        model("other", CONFIG, "1");
        model("onnx", "backend: \"onnxruntime\"", "1");
        model("batched", "backend: \"vllm\" max_batch_size: 8", "1");
        model("badtensor", "backend: \"vllm\" input [ { name: \"prompt\" data_type: TYPE_STRING dims: [1] } ]", "1");
        model("badtype", "backend: \"vllm\" input [ { name: \"stream\" data_type: TYPE_INT32 dims: [1] } ]", "1");
        model("syntax", "backend: \"vllm\" version_policy { latest { num_versions: 1 }", "1");
        assertThatThrownBy(() -> repo.define("noconfig", null)).hasMessageContaining("config.pbtxt");
        assertThatThrownBy(() -> repo.define("novers", null)).hasMessageContaining("no version folder");
        assertThatThrownBy(() -> repo.define("other", null)).hasMessageContaining("differs from the model folder");
        assertThatThrownBy(() -> repo.define("onnx", null)).hasMessageContaining("onnxruntime");
        assertThatThrownBy(() -> repo.define("batched", null)).hasMessageContaining("max_batch_size");
        assertThatThrownBy(() -> repo.define("badtensor", null)).hasMessageContaining("'prompt'");
        assertThatThrownBy(() -> repo.define("badtype", null)).hasMessageContaining("TYPE_BOOL");
        assertThatThrownBy(() -> repo.define("syntax", null)).hasMessageContaining("missing '}'");
        assertThatThrownBy(() -> repo.define("nothere", null))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> repo.define("../etc", null))
                .isInstanceOfSatisfying(ModelServerException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_NOT_FOUND));
    }

    @Test
    void vllmModelJsonPointsAtTheCheckpointDirectory() throws Exception {
        Path checkpoint = Files.createDirectories(root.resolve("checkpoints/round-7"));
        model("served", "backend: \"vllm\" model_transaction_policy { decoupled: True }", "1");
        Files.writeString(root.resolve("served/1/model.json"),
                "{\"model\": \"../../checkpoints/round-7\", \"gpu_memory_utilization\": 0.9}");
        ModelRepository.ModelDefinition def = new ModelRepository(root).define("served", null);
        assertThat(def.checkpoints().get(1L)).isEqualTo(checkpoint);
        assertThat(def.configuration().decoupled()).isTrue();
        Files.writeString(root.resolve("served/config.pbtxt"), "backend: \"vllm\"\ninstance_group [ { count: 1 "
                + "kind: KIND_MODEL } ]\n");
        assertThat(new ModelRepository(root).define("served", null).configuration().decoupled())
                .as("decoupled unless configured otherwise, as the vLLM backend completes it").isTrue();
        Files.writeString(root.resolve("served/config.pbtxt"), "backend: \"vllm\"\nmodel_transaction_policy { "
                + "decoupled: false }\n");
        assertThat(new ModelRepository(root).define("served", null).configuration().decoupled()).isFalse();
        Files.writeString(root.resolve("served/config.pbtxt"), "backend: \"vllm\"\n");

        Files.writeString(root.resolve("served/1/model.json"), "{\"model\": \"meta-llama/Llama-3-8B\"}");
        assertThatThrownBy(() -> new ModelRepository(root).define("served", null))
                .hasMessageContaining("downloads nothing");
    }

    @Test
    void textFormatAcceptsAngleBracketsCommentsAndRepeatedFields() {
        ConfigNode node = ConfigNode.parseText("""
                backend: 'mmed-llama'  # trailing comment
                input < name: "a" dims: 1 dims: 2 >
                input { name: "b" "c" }
                parameters [ { key: "k" value { string_value: "v" } } ];
                """, "test");
        assertThat(node.string("backend", null)).isEqualTo("mmed-llama");
        assertThat(node.nodes("input")).hasSize(2);
        assertThat(node.nodes("input").get(0).all("dims")).containsExactly("1", "2");
        assertThat(node.nodes("input").get(1).string("name", null)).isEqualTo("bc");
        assertThat(node.node("parameters").node("value").string("string_value", null)).isEqualTo("v");
    }
}
