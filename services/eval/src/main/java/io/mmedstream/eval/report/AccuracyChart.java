package io.mmedstream.eval.report;

import io.mmedstream.eval.EvalException;
import io.mmedstream.eval.EvalException.Reason;
import io.mmedstream.eval.benchmark.Language;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A hand-written SVG line chart of per-language accuracy across checkpoints: x the checkpoints in the given order,
 * y accuracy 0..100 %, one line per language and a dashed line for the unweighted mean, a marker per point with a
 * tooltip ({@code <title>}) giving the exact figure. A language missing at a checkpoint breaks its line there.
 * Colours are the Okabe-Ito palette, readable with colour-blindness.
 */
public final class AccuracyChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 60;
    private static final int RIGHT = 150;
    private static final int TOP = 44;
    private static final int BOTTOM = 90;
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"};
    private static final String MEAN_COLOUR = "#000000";

    private AccuracyChart() {
    }

    /** The chart as SVG text. */
    public static String svg(List<CheckpointAccuracy> checkpoints) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("  <title>MMedBench accuracy per language across checkpoints</title>\n");
        svg.append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.append("  <text x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">")
                .append("MMedBench accuracy per language across checkpoints</text>\n");
        axes(svg, checkpoints);
        if (checkpoints.isEmpty()) {
            svg.append("  <text x=\"").append(LEFT + plotWidth() / 2).append("\" y=\"").append(TOP + plotHeight() / 2)
                    .append("\" text-anchor=\"middle\" fill=\"#666666\">no checkpoint evaluated yet</text>\n");
        }
        Language[] languages = Language.values();
        for (int l = 0; l < languages.length; l++) {
            Language language = languages[l];
            series(svg, checkpoints, language.displayName(), COLOURS[l], false, c -> c.accuracy().get(language));
        }
        series(svg, checkpoints, "Mean", MEAN_COLOUR, true, CheckpointAccuracy::meanAccuracy);
        legend(svg, languages);
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Writes the chart to a file, replacing it. */
    public static void writeFile(Path file, List<CheckpointAccuracy> checkpoints) {
        try {
            Files.writeString(file, svg(checkpoints), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException(Reason.REPORT_IO, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void axes(StringBuilder svg, List<CheckpointAccuracy> checkpoints) {
        for (int percent = 0; percent <= 100; percent += 20) {
            double y = y(percent);
            svg.append("  <line x1=\"").append(LEFT).append("\" y1=\"").append(num(y)).append("\" x2=\"")
                    .append(LEFT + plotWidth()).append("\" y2=\"").append(num(y))
                    .append("\" stroke=\"").append(percent == 0 ? "#333333" : "#dddddd").append("\"/>\n");
            svg.append("  <text x=\"").append(LEFT - 8).append("\" y=\"").append(num(y + 4))
                    .append("\" text-anchor=\"end\">").append(percent).append("%</text>\n");
        }
        svg.append("  <line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(TOP + plotHeight()).append("\" stroke=\"#333333\"/>\n");
        svg.append("  <text transform=\"translate(16 ").append(TOP + plotHeight() / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">accuracy</text>\n");
        for (int i = 0; i < checkpoints.size(); i++) {
            double x = x(i, checkpoints.size());
            double labelY = TOP + plotHeight() + 16;
            svg.append("  <line x1=\"").append(num(x)).append("\" y1=\"").append(TOP + plotHeight())
                    .append("\" x2=\"").append(num(x)).append("\" y2=\"").append(TOP + plotHeight() + 5)
                    .append("\" stroke=\"#333333\"/>\n");
            svg.append("  <text transform=\"translate(").append(num(x)).append(' ').append(num(labelY))
                    .append(") rotate(-30)\" text-anchor=\"end\">").append(escape(checkpoints.get(i).checkpoint()))
                    .append("</text>\n");
        }
    }

    private static void series(StringBuilder svg, List<CheckpointAccuracy> checkpoints, String name, String colour,
            boolean dashed, Function<CheckpointAccuracy, Double> value) {
        StringBuilder path = new StringBuilder();
        StringBuilder markers = new StringBuilder();
        boolean penDown = false;
        for (int i = 0; i < checkpoints.size(); i++) {
            Double accuracy = value.apply(checkpoints.get(i));
            if (accuracy == null) {
                penDown = false;
                continue;
            }
            double x = x(i, checkpoints.size());
            double y = y(accuracy);
            path.append(penDown ? " L" : (path.isEmpty() ? "M" : " M")).append(num(x)).append(' ').append(num(y));
            penDown = true;
            markers.append("    <circle cx=\"").append(num(x)).append("\" cy=\"").append(num(y))
                    .append("\" r=\"3.5\" fill=\"").append(colour).append("\"><title>")
                    .append(escape(name + " @ " + checkpoints.get(i).checkpoint() + ": "
                            + String.format(Locale.ROOT, "%.2f", accuracy) + "%"))
                    .append("</title></circle>\n");
        }
        if (markers.isEmpty()) {
            return;
        }
        svg.append("  <g class=\"series\" data-series=\"").append(escape(name)).append("\">\n");
        svg.append("    <path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"").append(dashed ? " stroke-dasharray=\"6 4\"" : "").append("/>\n");
        svg.append(markers);
        svg.append("  </g>\n");
    }

    private static void legend(StringBuilder svg, Language[] languages) {
        int x = LEFT + plotWidth() + 20;
        for (int l = 0; l <= languages.length; l++) {
            boolean mean = l == languages.length;
            int y = TOP + 10 + 20 * l;
            svg.append("  <line x1=\"").append(x).append("\" y1=\"").append(y).append("\" x2=\"").append(x + 22)
                    .append("\" y2=\"").append(y).append("\" stroke=\"").append(mean ? MEAN_COLOUR : COLOURS[l])
                    .append("\" stroke-width=\"2\"").append(mean ? " stroke-dasharray=\"6 4\"" : "").append("/>\n");
            svg.append("  <text x=\"").append(x + 28).append("\" y=\"").append(y + 4).append("\">")
                    .append(mean ? "Mean" : languages[l].displayName()).append("</text>\n");
        }
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    private static double x(int i, int count) {
        if (count <= 1) {
            return LEFT + plotWidth() / 2.0;
        }
        double margin = 20;
        return LEFT + margin + i * (plotWidth() - 2 * margin) / (count - 1);
    }

    private static double y(double percent) {
        double clamped = Math.max(0, Math.min(100, percent));
        return TOP + plotHeight() * (1 - clamped / 100.0);
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
