package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.study.CalibrationWindows;
import dev.morphserve.morph.LayerBytes;
import dev.morphserve.study.LayerImportanceProfiler;
import dev.morphserve.study.MdsReference;
import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.LayerScore;
import dev.morphserve.morph.LayerVariants;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measures each decoder layer's importance (LTS, LRS, MDS, LIS) on calibration text and writes"
                + " the greedy swap order beside the model as <model>.morph-profile.json.")
final class ProfileCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 calibration text.")
    Path file;

    @Option(names = "--chars", defaultValue = "20000", description = "Characters of calibration text (default ${DEFAULT-VALUE}).")
    int chars;

    @Option(names = "--skip-chars", defaultValue = "0",
            description = "Start after this many characters, e.g. to keep calibration apart from evaluation text.")
    int skipChars;

    @Option(names = "--low-type", defaultValue = "Q4_0", description = "Low-precision variant: Q4_0, Q4_K or Q8_0 (default ${DEFAULT-VALUE}).")
    GgmlType lowType;

    @Option(names = "--mds-reference", defaultValue = "chosen-swapped", converter = MdsReferenceConverter.class,
            description = "What each greedy round's MDS compares against: chosen-swapped (the paper's Algorithm 1: the model"
                    + " with the layers already picked swapped) or full-precision (default ${DEFAULT-VALUE}).")
    MdsReference mdsReference;

    @Option(names = "--window", description = "Tokens per forward pass, BOS included (default: the context length).")
    Integer window;

    @Option(names = {"-o", "--output"}, description = "Profile file (default: beside the model, <model>" + LayerProfile.SUFFIX + ").")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TextSlice text = TextSlice.read(file, skipChars, chars);
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend();
                LayerVariants variants = LayerVariants.quantize(model.weights(), lowType)) {
            int windowTokens = window != null ? window : model.config().contextLength();
            CalibrationWindows windows = CalibrationWindows.of(model.tokenizer().encode(text.text(), true), windowTokens);
            long passes = LayerImportanceProfiler.forwardPasses(windows.inputs().size(), model.config().numLayers(), mdsReference);
            Path modelPath = model.file().path();
            LayerProfile profile;
            try (var bar = Progress.bar(spec.commandLine().getErr(), "profile", passes, "pass")) {
                profile = new LayerImportanceProfiler(backend.runner(model), variants, mdsReference, bar::step)
                        .profile(windows, modelPath.getFileName().toString(), text.description());
            }
            Path target = output != null ? output : LayerProfile.defaultPath(modelPath);
            profile.write(target);
            printTable(out, profile, variants);
            out.printf("calibration: %d tokens in %d windows (%s)%nswap order (LIS, MDS against %s, first to last): %s%nwrote %s%n",
                    profile.calibrationTokens(), windows.inputs().size(), text.description(), profile.mdsReference(), profile.swapOrder(), target);
            return 0;
        }
    }

    /** Accepts the lower-case names the help text gives. */
    static final class MdsReferenceConverter implements picocli.CommandLine.ITypeConverter<MdsReference> {
        @Override
        public MdsReference convert(String value) {
            return MdsReference.parse(value);
        }
    }

    static void printTable(PrintWriter out, LayerProfile profile, LayerVariants variants) {
        out.printf("| layer | LTS | LRS | MDS at pick | LIS | order | base KB | %s KB | freed KB |%n", profile.lowType());
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (LayerScore s : profile.layers()) {
            LayerBytes b = variants.bytes(s.layer());
            out.printf("| %d | %.6f | %.6f | %.6f | %.6f | %d | %.1f | %.1f | %.1f |%n", s.layer(), s.lts(), s.lrs(),
                    s.mds(), s.lis(), s.rank(), b.baseBytes() / 1024.0, b.lowBytes() / 1024.0, b.freedBytes() / 1024.0);
        }
    }
}
