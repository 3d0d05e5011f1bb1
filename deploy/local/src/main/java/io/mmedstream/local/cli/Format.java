package io.mmedstream.local.cli;

import java.time.Duration;
import java.util.Locale;

/** Number and size formatting shared by the commands' output. */
public final class Format {

    private Format() {
    }

    /** {@code 12,345}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in decimal megabytes, {@code 15.7 MB}. */
    public static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** A rate with one decimal, or none above 100. */
    public static String rate(double perSecond) {
        return perSecond >= 100 ? String.format(Locale.ROOT, "%,.0f", perSecond)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    /** Seconds with one decimal, {@code 12.3 s}. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    /** Events per second over {@code elapsed}, 0 for no time. */
    public static double perSecond(double amount, Duration elapsed) {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : amount / s;
    }
}
