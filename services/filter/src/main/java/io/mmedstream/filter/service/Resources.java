package io.mmedstream.filter.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import io.mmedstream.filter.service.FilterException.Reason;

/** Reads the filter's classpath resources (lexicons, quality profiles). */
final class Resources {

    private Resources() {
    }

    /** The resource, from the thread's context class loader or the filter's own; null when absent. */
    static InputStream open(String path) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        InputStream in = cl == null ? null : cl.getResourceAsStream(path);
        return in != null ? in : Resources.class.getClassLoader().getResourceAsStream(path);
    }

    /** A properties resource (UTF-8), or null when absent. */
    static Properties properties(String path) {
        try (InputStream in = open(path)) {
            if (in == null) {
                return null;
            }
            Properties props = new Properties();
            props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return props;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** A properties resource that must exist. */
    static Properties requiredProperties(String path, String what) {
        Properties props = properties(path);
        if (props == null) {
            throw new FilterException(Reason.INVALID_CONFIGURATION, what + " (missing resource " + path + ")");
        }
        return props;
    }
}
