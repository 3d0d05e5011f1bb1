package io.mmedstream.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Micrometer meters a service registers, read from its main Java sources, and the Prometheus series they become,
 * so that alerting rules can be checked against what the services really export. A meter is a {@code "mmed."} string
 * literal passed as the name to a meter call: a builder ({@code Counter.builder("mmed.records.in")}, and those of
 * Timer, Gauge, DistributionSummary, LongTaskTimer, FunctionCounter, FunctionTimer and TimeGauge), a registry method
 * ({@code registry.counter("mmed.records.rejected", ...)}, {@code timer}, {@code gauge}, {@code summary}, ...), or
 * {@code @Counted}/{@code @Timed}. A name held in a constant is not seen.
 *
 * <p>The series follow Micrometer's Prometheus naming: dots become underscores; a base unit is appended; counters end
 * in {@code _total}; timers become {@code _seconds_count}, {@code _seconds_sum} and {@code _seconds_max}, and
 * {@code _seconds_bucket} only when the meter publishes a histogram (none does without
 * {@code publishPercentileHistogram()} or service level objectives); distribution summaries likewise without the
 * unit; gauges keep their name.
 */
public final class MeterNames {

    /** The kinds of meter, as far as their Prometheus series differ. */
    public enum Type {
        COUNTER, TIMER, GAUGE, TIME_GAUGE, SUMMARY, LONG_TASK_TIMER, FUNCTION_COUNTER, FUNCTION_TIMER
    }

    /**
     * One meter as registered in the source.
     *
     * @param name the Micrometer name, e.g. {@code mmed.records.rejected}
     * @param type its kind
     * @param baseUnit the base unit given to its builder, or null
     * @param histogram whether it publishes histogram buckets
     * @param source the file it was found in, for messages
     */
    public record Meter(String name, Type type, String baseUnit, boolean histogram, Path source) {

        /** The Prometheus series names this meter is exported as. */
        public Set<String> series() {
            String base = name.replaceAll("[^A-Za-z0-9_:]", "_");
            if (baseUnit != null && !base.endsWith("_" + baseUnit)) {
                base = base + "_" + baseUnit;
            }
            Set<String> series = new LinkedHashSet<>();
            switch (type) {
                case COUNTER, FUNCTION_COUNTER -> series.add(base.endsWith("_total") ? base : base + "_total");
                case GAUGE -> series.add(base);
                case TIME_GAUGE -> series.add(seconds(base));
                case TIMER, SUMMARY -> {
                    String b = type == Type.TIMER ? seconds(base) : base;
                    series.addAll(List.of(b + "_count", b + "_sum", b + "_max"));
                    if (histogram) {
                        series.add(b + "_bucket");
                    }
                }
                case FUNCTION_TIMER -> series.addAll(List.of(seconds(base) + "_count", seconds(base) + "_sum"));
                case LONG_TASK_TIMER -> {
                    String b = seconds(base);
                    series.addAll(List.of(b + "_active_count", b + "_duration_sum", b + "_max"));
                    if (histogram) {
                        series.add(b + "_bucket");
                    }
                }
                default -> throw new IllegalStateException("unknown meter type " + type);
            }
            return series;
        }

        private static String seconds(String base) {
            return base.endsWith("_seconds") ? base : base + "_seconds";
        }
    }

    private static final String NAME = "\\s*\\(\\s*\"(mmed\\.[^\"]+)\"";
    private static final Pattern BUILDER = Pattern.compile("\\b(Counter|Timer|Gauge|TimeGauge|DistributionSummary"
            + "|LongTaskTimer|FunctionCounter|FunctionTimer)\\s*\\.\\s*builder" + NAME);
    private static final Pattern REGISTRY = Pattern.compile("\\.\\s*(counter|timer|gauge|gaugeCollectionSize"
            + "|gaugeMapSize|summary|longTaskTimer|functionCounter|functionTimer|timeGauge)" + NAME);
    private static final Pattern ANNOTATION = Pattern.compile("@(Counted|Timed)\\s*\\(\\s*(?:value\\s*=\\s*)?\""
            + "(mmed\\.[^\"]+)\"");
    private static final Pattern BASE_UNIT = Pattern.compile("\\.\\s*baseUnit\\s*\\(\\s*(\"([^\"]*)\")?");
    private static final Pattern HISTOGRAM = Pattern.compile("\\.\\s*(publishPercentileHistogram|serviceLevelObjectives"
            + "|sla)\\s*\\(|histogram\\s*=\\s*true");

    private MeterNames() {
    }

    /** The meters registered in {@code <moduleDir>/src/main/java}. */
    public static Set<Meter> scan(Path moduleDir) {
        Path sources = moduleDir.resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            throw new IllegalArgumentException("no Java sources at " + sources);
        }
        Set<Meter> meters = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                meters.addAll(parse(Files.readString(file, StandardCharsets.UTF_8), file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sources, e);
        }
        return meters;
    }

    /** The Prometheus series of every meter registered in a module's main sources. */
    public static Set<String> series(Path moduleDir) {
        Set<String> series = new TreeSet<>();
        scan(moduleDir).forEach(m -> series.addAll(m.series()));
        return series;
    }

    /** The meters registered in one Java source text. */
    static Set<Meter> parse(String java, Path file) {
        Set<Meter> meters = new LinkedHashSet<>();
        Matcher b = BUILDER.matcher(java);
        while (b.find()) {
            Type type = switch (b.group(1)) {
                case "Counter" -> Type.COUNTER;
                case "Timer" -> Type.TIMER;
                case "Gauge" -> Type.GAUGE;
                case "TimeGauge" -> Type.TIME_GAUGE;
                case "DistributionSummary" -> Type.SUMMARY;
                case "LongTaskTimer" -> Type.LONG_TASK_TIMER;
                case "FunctionCounter" -> Type.FUNCTION_COUNTER;
                default -> Type.FUNCTION_TIMER;
            };
            meters.add(meter(b.group(2), type, statement(java, b.end()), file));
        }
        Matcher r = REGISTRY.matcher(java);
        while (r.find()) {
            Type type = switch (r.group(1)) {
                case "counter" -> Type.COUNTER;
                case "timer" -> Type.TIMER;
                case "summary" -> Type.SUMMARY;
                case "longTaskTimer" -> Type.LONG_TASK_TIMER;
                case "functionCounter" -> Type.FUNCTION_COUNTER;
                case "functionTimer" -> Type.FUNCTION_TIMER;
                case "timeGauge" -> Type.TIME_GAUGE;
                default -> Type.GAUGE;
            };
            // A registry method takes no base unit or histogram: those need a builder.
            meters.add(new Meter(r.group(2), type, null, false, file));
        }
        Matcher a = ANNOTATION.matcher(java);
        while (a.find()) {
            int close = java.indexOf(')', a.end());
            String args = java.substring(a.end(), close < 0 ? java.length() : close);
            meters.add(new Meter(a.group(2), a.group(1).equals("Counted") ? Type.COUNTER : Type.TIMER, null,
                    HISTOGRAM.matcher(args).find(), file));
        }
        return meters;
    }

    /** A builder's meter: its base unit and histogram from the rest of the statement (up to the next ';'). */
    private static Meter meter(String name, Type type, String chain, Path file) {
        String unit = null;
        Matcher u = BASE_UNIT.matcher(chain);
        if (u.find()) {
            if (u.group(1) == null) {
                throw new IllegalStateException(file + ": the base unit of meter " + name + " is not a string literal; "
                        + "its Prometheus name cannot be derived");
            }
            unit = u.group(2);
        }
        return new Meter(name, type, unit, HISTOGRAM.matcher(chain).find(), file);
    }

    private static String statement(String java, int from) {
        int end = java.indexOf(';', from);
        return java.substring(from, end < 0 ? java.length() : end);
    }
}
