package io.mmedstream.tokenize.service;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import io.mmedstream.tokenize.domain.ShardManifest;
import io.mmedstream.tokenize.service.ShardNames.ShardFile;

/**
 * The shard storage directory: lists committed shards, removes shards whose Kafka transaction never committed, and
 * keeps a copy of every tokenizer that produced shards in it.
 *
 * <p>Layout: {@code <dir>/<shard_id>.{tokens,index,docs.jsonl,json}}, {@code <dir>/tokenizers/<sha256>/} and the
 * working folder {@code <dir>/.staging/}. One consumer group per storage directory and tokenizer name writes here.
 */
public final class ShardStore {

    private final Path dir;

    public ShardStore(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    }

    /** The storage directory (absolute). */
    public Path dir() {
        return dir;
    }

    /** Creates the storage directory if it is missing. */
    public ShardStore ensureExists() throws IOException {
        Files.createDirectories(dir);
        return this;
    }

    /** Path of a shard's manifest, its commit marker. */
    public Path manifestPath(String shardId) {
        return dir.resolve(shardId + ShardNames.MANIFEST);
    }

    /** The manifest of a shard, when the shard exists. */
    public Optional<ShardManifest> manifest(String shardId) throws IOException {
        Path file = manifestPath(shardId);
        return Files.isRegularFile(file) ? Optional.of(ShardManifest.read(file)) : Optional.empty();
    }

    /** Manifests of every shard in the directory, by shard id. Files of shards without a manifest are not shards. */
    public List<ShardManifest> manifests() throws IOException {
        List<ShardManifest> manifests = new ArrayList<>();
        for (Map.Entry<String, List<ShardFile>> shard : shardFiles().entrySet()) {
            if (shard.getValue().stream().anyMatch(ShardFile::isManifest)) {
                manifests.add(ShardManifest.read(manifestPath(shard.getKey())));
            }
        }
        return manifests;
    }

    /** What {@link #recoverPartition} did. */
    public record Recovery(List<String> deletedShards, List<String> foreignShards, int deletedStagingFolders) {
    }

    /**
     * Removes the shards of one source partition that the consumer group has not committed, so that they can be made
     * again from the committed offset on: every shard of this tokenizer and partition whose first offset is at or
     * after the committed offset, every shard file of the partition without a manifest (a write cut short), and the
     * partition's staging folders. A manifest that does not name this consumer group (another group's shard, or one
     * that cannot be read) is never deleted, only reported. The manifest goes first, so a shard disappears atomically.
     *
     * @param committedOffset the group's committed offset for the partition (the next offset to read), 0 when none
     */
    public Recovery recoverPartition(String tokenizerName, String consumerGroup, int partition, long committedOffset)
            throws IOException {
        List<String> deleted = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (Map.Entry<String, List<ShardFile>> shard : shardFiles().entrySet()) {
            List<ShardFile> files = shard.getValue();
            ShardFile any = files.get(0);
            if (!any.tokenizer().equals(tokenizerName) || any.partition() != partition) {
                continue;
            }
            boolean hasManifest = files.stream().anyMatch(ShardFile::isManifest);
            if (hasManifest) {
                if (!consumerGroup.equals(ownerOf(shard.getKey()))) {
                    foreign.add(shard.getKey()); // another group's, or not provably ours: never delete it
                    continue;
                }
                if (any.firstOffset() < committedOffset) {
                    continue; // committed by this group
                }
            }
            deleteShard(shard.getKey(), files);
            deleted.add(shard.getKey());
        }
        int staging = 0;
        Path stagingDir = dir.resolve(ShardNames.STAGING_DIR);
        if (Files.isDirectory(stagingDir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagingDir)) {
                for (Path entry : entries) {
                    Optional<ShardFile> staged = ShardNames.parseStaged(entry.getFileName().toString());
                    if (staged.isPresent() && staged.get().tokenizer().equals(tokenizerName)
                            && staged.get().partition() == partition) {
                        Durable.deleteTree(entry);
                        staging++;
                    }
                }
            }
        }
        if (!deleted.isEmpty()) {
            Durable.fsyncDirectory(dir);
        }
        return new Recovery(deleted, foreign, staging);
    }

    /**
     * Keeps a copy of a tokenizer at {@code tokenizers/<sha256>/} (the path every manifest of its shards names), so
     * a trainer finds the exact tokenizer of a shard. Written once; an existing copy is kept.
     *
     * @return the tokenizer's folder
     */
    public Path publishTokenizer(ModelTokenizer tokenizer) throws IOException {
        Path target = dir.resolve(ShardNames.TOKENIZERS_DIR).resolve(tokenizer.sha256());
        Path json = target.resolve(ModelTokenizer.TOKENIZER_JSON);
        if (Files.isRegularFile(json) && ModelTokenizer.sha256Hex(Files.readAllBytes(json)).equals(tokenizer.sha256())) {
            return target;
        }
        Path parent = Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(parent, "." + tokenizer.sha256() + ".");
        try {
            tokenizer.exportTo(staging);
            Durable.deleteTree(target); // a damaged copy (its hash did not match)
            Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Durable.fsyncDirectory(parent);
        } finally {
            Durable.deleteTree(staging);
        }
        return target;
    }

    /** The consumer group named by a shard's manifest; null when it names none or cannot be read. */
    private String ownerOf(String shardId) {
        try {
            return ShardManifest.read(manifestPath(shardId)).consumerGroup();
        } catch (IOException e) {
            return null;
        }
    }

    private void deleteShard(String shardId, List<ShardFile> files) throws IOException {
        Files.deleteIfExists(manifestPath(shardId));
        Durable.fsyncDirectory(dir);
        for (ShardFile file : files) {
            Files.deleteIfExists(dir.resolve(shardId + file.suffix()));
        }
    }

    /** Shard files of the directory, grouped by shard id. */
    private Map<String, List<ShardFile>> shardFiles() throws IOException {
        Map<String, List<ShardFile>> byShard = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return byShard;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                ShardNames.parse(entry.getFileName().toString()).filter(f -> Files.isRegularFile(entry))
                        .ifPresent(f -> byShard.computeIfAbsent(f.shardId(), id -> new ArrayList<>()).add(f));
            }
        }
        return byShard;
    }
}
