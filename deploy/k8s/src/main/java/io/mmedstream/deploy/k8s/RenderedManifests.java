package io.mmedstream.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The documents of a rendered kustomization, each parsed into fabric8's typed model: a {@code Deployment} becomes an
 * {@link io.fabric8.kubernetes.api.model.apps.Deployment}, and a kind fabric8 does not know (Strimzi's, KEDA's,
 * Kueue's custom resources, but also a misspelt built-in kind) a {@link GenericKubernetesResource}.
 */
public final class RenderedManifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** One document: its position, its raw tree, and its typed form. */
    public record Document(int index, JsonNode raw, HasMetadata resource) {

        /** {@code Kind name}, for messages. */
        public String describe() {
            return resource.getKind() + " " + resource.getMetadata().getName();
        }
    }

    private final List<Document> documents;

    private RenderedManifests(List<Document> documents) {
        this.documents = List.copyOf(documents);
    }

    /**
     * Parses multi-document YAML.
     *
     * @throws IllegalArgumentException when a document is not a Kubernetes object (no kind, apiVersion or name)
     */
    public static RenderedManifests parse(String yaml) {
        List<Document> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node == null || node.isNull() || node.isMissingNode() || node.isEmpty()) {
                    continue;
                }
                int index = docs.size();
                if (!node.hasNonNull("apiVersion") || !node.hasNonNull("kind")
                        || !node.path("metadata").hasNonNull("name")) {
                    throw new IllegalArgumentException("document " + index + " is not a Kubernetes object (apiVersion, "
                            + "kind and metadata.name are required): " + abbreviate(node.toString()));
                }
                KubernetesResource parsed = SERIALIZATION.unmarshal(YAML.writeValueAsString(node));
                if (!(parsed instanceof HasMetadata resource)) {
                    throw new IllegalArgumentException("document " + index + " (" + node.get("kind").asText() + " "
                            + node.path("metadata").get("name").asText() + ") did not parse into an object with metadata");
                }
                docs.add(new Document(index, node, resource));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the render is not valid YAML", e);
        }
        return new RenderedManifests(docs);
    }

    public List<Document> documents() {
        return documents;
    }

    /** Every resource of a typed class. */
    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return documents.stream().map(Document::resource).filter(type::isInstance).map(type::cast).toList();
    }

    /** Every resource of a kind (typed or generic). */
    public List<HasMetadata> ofKind(String kind) {
        return documents.stream().map(Document::resource).filter(r -> kind.equals(r.getKind())).toList();
    }

    /** The generic resources of a kind, e.g. {@code KafkaTopic}. */
    public List<GenericKubernetesResource> generic(String kind) {
        return ofKind(kind).stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).toList();
    }

    /** The resource of this kind and name. */
    public Optional<HasMetadata> find(String kind, String name) {
        return ofKind(kind).stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
    }

    /** The typed resource of this class and name. */
    public <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
