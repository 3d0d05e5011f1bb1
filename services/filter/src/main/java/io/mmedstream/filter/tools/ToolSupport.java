package io.mmedstream.filter.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mmedstream.filter.service.DocumentFilter;
import io.mmedstream.filter.service.FilterSettings;

/** What the command-line tools share: quiet logging, input files, JSON, and building the engine. */
final class ToolSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Exit status for a usage error. */
    static final int USAGE = 2;

    private ToolSupport() {
    }

    /**
     * Keeps standard error for errors only: the libraries the engine uses may log through java.util.logging (or the
     * JBoss log manager when Quarkus' launcher settings are passed); only SEVERE records are shown.
     */
    static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.SEVERE);
        for (var handler : root.getHandlers()) {
            handler.setLevel(Level.SEVERE);
        }
    }

    /** A reader over a UTF-8 file (gzip when it ends with .gz). */
    static BufferedReader open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        InputStream in = Files.newInputStream(path);
        if (path.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The engine the filter service runs with its default configuration, in a given relevance mode. */
    static DocumentFilter engine(String mode, boolean quality, boolean pii) {
        return new DocumentFilter(FilterSettings.builder().relevanceMode(mode).qualityEnabled(quality)
                .piiMasking(pii).build());
    }

    static String valueOf(String[] args, int i, String flag) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i + 1];
    }
}
