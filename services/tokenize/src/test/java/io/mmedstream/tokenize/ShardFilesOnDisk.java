package io.mmedstream.tokenize;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.proto.ShardReady;
import io.mmedstream.tokenize.domain.ShardDocument;
import io.mmedstream.tokenize.domain.ShardManifest;

/** Reads a shard back from disk the way a trainer would: manifest, token file, index and document lines. */
public record ShardFilesOnDisk(Path dir, ShardManifest manifest, int[] tokens, long[] ends,
        List<ShardDocument> documents) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shard a ShardReady event announces. */
    public static ShardFilesOnDisk of(ShardReady event) throws IOException {
        Path manifestFile = Path.of(URI.create(event.getUri()));
        return read(manifestFile);
    }

    public static ShardFilesOnDisk read(Path manifestFile) throws IOException {
        Path dir = manifestFile.getParent();
        ShardManifest manifest = ShardManifest.read(manifestFile);
        ByteBuffer tokenBytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(manifest.tokensFile())))
                .order(ByteOrder.LITTLE_ENDIAN);
        int[] tokens = new int[tokenBytes.remaining() / Integer.BYTES];
        tokenBytes.asIntBuffer().get(tokens);
        ByteBuffer indexBytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(manifest.indexFile())))
                .order(ByteOrder.LITTLE_ENDIAN);
        long[] ends = new long[indexBytes.remaining() / Long.BYTES];
        indexBytes.asLongBuffer().get(ends);
        List<ShardDocument> documents = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(manifest.docsFile()))) {
            documents.add(JSON.readValue(line, ShardDocument.class));
        }
        return new ShardFilesOnDisk(dir, manifest, tokens, ends, documents);
    }

    /** The tokens of one document of the shard, its EOS included. */
    public int[] tokensOf(ShardDocument doc) {
        return Arrays.copyOfRange(tokens, (int) doc.tokenStart(), (int) (doc.tokenStart() + doc.tokenCount()));
    }
}
