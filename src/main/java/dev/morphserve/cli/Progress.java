package dev.morphserve.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for long CLI work, on stderr so that stdout stays clean for results. On a terminal
 * the bar redraws itself in place; anywhere else (a log file, CI, a test) a redrawn bar is a pile
 * of carriage returns and ANSI codes, so it becomes a few plain lines instead ({@link ProgressLines}).
 */
final class Progress {
    private Progress() {}

    /** A bar on the process's stderr. */
    static ProgressBar bar(String task, long total, String unit) {
        return bar(new PrintWriter(System.err, true), task, total, unit);
    }

    /**
     * A bar for a command: redrawn on the terminal when stderr is one, else plain lines to {@code err}
     * (the command's error writer, which tests capture).
     */
    static ProgressBar bar(PrintWriter err, String task, long total, String unit) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1);
        if (StderrTerminal.isTerminal()) {
            return builder.setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .showSpeed()
                    .continuousUpdate()
                    .build();
        }
        ProgressLines lines = new ProgressLines(err, unit);
        lines.start(task, total);
        return builder.setRenderer(lines).setConsumer(lines).setUpdateIntervalMillis(250).build();
    }
}
