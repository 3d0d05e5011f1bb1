package io.mmedstream.local.cli;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Shows a changing status on stderr while work goes on. On a terminal the text (one or several lines) is redrawn in
 * place a few times a second; otherwise it is printed as new lines, less often, and only when it changed.
 */
public final class LiveView implements AutoCloseable {

    private static final Duration TERMINAL_INTERVAL = Duration.ofMillis(250);

    private final Terminal terminal;
    private final Supplier<String> render;
    private final ScheduledExecutorService timer;
    private int drawnLines;
    private String lastPrinted = "";

    private LiveView(Terminal terminal, Supplier<String> render) {
        this.terminal = terminal;
        this.render = render;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-view");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts showing {@code render}'s text.
     *
     * @param logInterval how often a line is printed when stderr is not a terminal
     */
    public static LiveView start(Terminal terminal, Supplier<String> render, Duration logInterval) {
        LiveView view = new LiveView(terminal, render);
        Duration interval = terminal.interactive() ? TERMINAL_INTERVAL : logInterval;
        view.timer.scheduleAtFixedRate(view::draw, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return view;
    }

    /** Draws the current text now (e.g. the final state before closing). */
    public synchronized void draw() {
        String text;
        try {
            text = render.get();
        } catch (RuntimeException e) {
            return; // the next tick tries again; the command itself reports lasting failures
        }
        if (terminal.interactive()) {
            if (drawnLines > 0 && text.equals(lastPrinted)) {
                return;
            }
            lastPrinted = text;
            StringBuilder out = new StringBuilder();
            if (drawnLines > 0) {
                out.append("\r");
                if (drawnLines > 1) {
                    out.append("\033[").append(drawnLines - 1).append('A');
                }
                out.append("\033[J");
            }
            out.append(text);
            terminal.err().print(out);
            terminal.err().flush();
            drawnLines = (int) text.chars().filter(ch -> ch == '\n').count() + 1;
        } else if (!text.equals(lastPrinted)) {
            terminal.err().println(text);
            terminal.err().flush();
            lastPrinted = text;
        }
    }

    /** Stops updating; draws the last state once more and leaves the cursor on a fresh line. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        if (terminal.interactive() && drawnLines > 0) {
            terminal.err().println();
            terminal.err().flush();
        }
        drawnLines = 0;
    }
}
