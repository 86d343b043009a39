package dev.morphserve.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * Progress as plain lines for logs: one at the start, one each time another tenth is done, one at
 * the end, never a carriage return. The bar asks its renderer for a frame every update interval;
 * frames that would repeat the last tenth render empty, and the consumer drops empty frames.
 */
final class ProgressLines implements ProgressBarRenderer, ProgressBarConsumer {
    private static final int STEPS = 10;

    private final PrintWriter err;
    private final String unit;
    private int lastTenth = -1;
    private boolean finished;

    ProgressLines(PrintWriter err, String unit) {
        this.err = err;
        this.unit = unit;
    }

    /** The start line, at once: the bar's first frame comes from its own thread, possibly after the first steps. */
    synchronized void start(String task, long total) {
        accept(String.format(Locale.ROOT, "%s 0%% 0/%d %s", task, total, unit));
        lastTenth = 0;
    }

    @Override
    public synchronized String render(ProgressState state, int maxLength) {
        if (finished) {
            return "";
        }
        long done = state.getCurrent() - state.getStart();
        long total = state.getMax() - state.getStart();
        boolean known = !state.isIndefinite() && total > 0;
        int tenth = known ? (int) Math.min(STEPS, done * STEPS / total) : 0;
        boolean last = !state.isAlive();
        // The line for the last tenth waits for the end, which says "done" instead.
        if (!last && (tenth == lastTenth || tenth == STEPS)) {
            return "";
        }
        lastTenth = tenth;
        finished = last;
        String extra = state.getExtraMessage() == null || state.getExtraMessage().isBlank() ? "" : " " + state.getExtraMessage().strip();
        String elapsed = seconds(state.getTotalElapsed());
        if (last && (!known || done >= total)) {
            return String.format(Locale.ROOT, "%s done: %d %s in %s%s", state.getTaskName(), state.getCurrent(), unit, elapsed, extra);
        }
        return known
                ? String.format(Locale.ROOT, "%s %d%% %d/%d %s (%s)%s", state.getTaskName(), tenth * 100 / STEPS, state.getCurrent(),
                        state.getMax(), unit, elapsed, extra)
                : String.format(Locale.ROOT, "%s %d %s (%s)%s", state.getTaskName(), state.getCurrent(), unit, elapsed, extra);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    @Override
    public int getMaxRenderedLength() {
        return Integer.MAX_VALUE;
    }

    @Override
    public synchronized void accept(String line) {
        if (!line.isEmpty()) {
            err.println(line);
            err.flush();
        }
    }

    @Override
    public void clear() {
        // Nothing to clear: lines stay, as a log's should.
    }

    @Override
    public void close() {
        err.flush();
    }
}
