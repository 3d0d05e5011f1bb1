package io.mmedstream.modelserver.service;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which version folders of a model are served: Triton's {@code version_policy}. The default is
 * {@code latest { num_versions: 1 }}.
 */
public sealed interface VersionPolicy {

    /** The versions to serve among those present; may name absent ones (specific), which the caller reports. */
    SortedSet<Long> select(SortedSet<Long> available);

    /** The highest {@code count} versions. */
    record Latest(int count) implements VersionPolicy {
        @Override
        public SortedSet<Long> select(SortedSet<Long> available) {
            SortedSet<Long> out = new TreeSet<>();
            for (Long v : new TreeSet<>(available).descendingSet()) {
                if (out.size() == count) {
                    break;
                }
                out.add(v);
            }
            return out;
        }
    }

    /** Every version. */
    record All() implements VersionPolicy {
        @Override
        public SortedSet<Long> select(SortedSet<Long> available) {
            return new TreeSet<>(available);
        }
    }

    /** Exactly these versions. */
    record Specific(List<Long> versions) implements VersionPolicy {
        @Override
        public SortedSet<Long> select(SortedSet<Long> available) {
            return new TreeSet<>(versions);
        }
    }

    /** Reads a {@code version_policy} message; null means the default. */
    static VersionPolicy parse(ConfigNode node, String source) {
        if (node == null) {
            return new Latest(1);
        }
        ConfigNode latest = node.node("latest");
        if (latest != null) {
            long n = latest.integer("num_versions", 1, source);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw ModelServerException.badModel(source + ": version_policy latest num_versions must be at least 1");
            }
            return new Latest((int) n);
        }
        if (node.has("all")) {
            return new All();
        }
        ConfigNode specific = node.node("specific");
        if (specific != null) {
            List<Long> versions = specific.all("versions").stream().map(v -> {
                try {
                    long n = Long.parseLong(String.valueOf(v));
                    if (n < 1) {
                        throw new NumberFormatException();
                    }
                    return n;
                } catch (NumberFormatException e) {
                    throw ModelServerException.badModel(source + ": version_policy specific versions must be positive "
                            + "whole numbers, got '" + v + "'");
                }
            }).toList();
            if (versions.isEmpty()) {
                throw ModelServerException.badModel(source + ": version_policy specific names no versions");
            }
            return new Specific(versions);
        }
        throw ModelServerException.badModel(source + ": version_policy must be latest, all or specific");
    }
}
