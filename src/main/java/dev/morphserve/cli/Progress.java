package dev.morphserve.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars for long CLI work, on stderr so that stdout stays clean for results. */
final class Progress {
    private Progress() {}

    static ProgressBar bar(String task, long total, String unit) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                .continuousUpdate()
                .build();
    }
}
