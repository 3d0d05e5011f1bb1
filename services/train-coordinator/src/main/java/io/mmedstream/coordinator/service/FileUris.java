package io.mmedstream.coordinator.service;

import java.net.URI;
import java.nio.file.Path;

/** {@code file:} URIs of local paths, the form ShardReady and CheckpointReady use in the embedded default. */
public final class FileUris {

    private FileUris() {
    }

    /** {@code file:///absolute/path}, without a trailing slash (whether or not the path is a directory). */
    public static String of(Path path) {
        String uri = path.toAbsolutePath().normalize().toUri().toString();
        return uri.endsWith("/") && uri.length() > "file:///".length() ? uri.substring(0, uri.length() - 1) : uri;
    }

    /** The local path of a {@code file:} URI; anything else is taken as a path as it is. */
    public static Path toPath(String uriOrPath) {
        if (uriOrPath.startsWith("file:")) {
            return Path.of(URI.create(uriOrPath));
        }
        return Path.of(uriOrPath);
    }
}
