package dev.morphserve.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a byte-level BPE model cuts text into words before merging ({@code tokenizer.ggml.pre}),
 * with the regular expressions llama.cpp uses for each name ({@code llama-vocab.cpp}), which come
 * from the models' own {@code tokenizer.json}.
 *
 * <p>Each expression refines the pieces the previous one left: within a piece, every match is a
 * word and so is every stretch between matches. Expressions see one piece at a time (opaque region
 * bounds), as llama.cpp's splitter does, so a look-ahead never peeks into the next piece.
 * {@code \s} is Unicode White_Space and {@code \p{L}}/{@code \p{N}} are Unicode general
 * categories ({@link Pattern#UNICODE_CHARACTER_CLASS}), which is what llama.cpp's codepoint flags
 * give.
 */
enum PreTokenizer {
    /** Llama 3: whole words that are tokens skip the merges; BOS by default. */
    LLAMA3(List.of("llama-bpe", "llama3", "llama-v3", "falcon3"), true, true, Regex.LLAMA3),
    QWEN2(List.of("qwen2", "megrez", "stablelm2"), false, false, Regex.QWEN2),
    GPT2(List.of("gpt-2", "phi-2", "mpt", "olmo"), false, false, Regex.GPT2),
    DEEPSEEK_LLM(
            List.of("deepseek-llm"),
            false,
            false,
            "[\r\n]",
            "\\s?[" + Regex.DEEPSEEK_CASED_LETTERS + "]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            // llama.cpp writes \s+$ for std::regex, where $ is only the end of the piece; Java's $
            // would also match before a final line terminator.
            "\\s+\\z",
            "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}+"),
    /** What llama.cpp uses when a BPE file names no pre-tokenizer. */
    DEFAULT(List.of("default"), false, false, "[\\p{P}\\$\\+<=>\\^~\\|]+", Regex.GPT2, "\\p{N}+", "[0-9][0-9][0-9]");

    private final List<String> names;
    private final boolean ignoreMerges;
    private final boolean addBosByDefault;
    private final List<Pattern> patterns;

    PreTokenizer(List<String> names, boolean ignoreMerges, boolean addBosByDefault, String... regexes) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.addBosByDefault = addBosByDefault;
        this.patterns = Arrays.stream(regexes)
                .map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS))
                .toList();
    }

    /** The pre-tokenizer a {@code tokenizer.ggml.pre} value names; unknown names fail loudly. */
    static PreTokenizer named(String name) {
        for (PreTokenizer p : values()) {
            if (p.names.contains(name)) {
                return p;
            }
        }
        throw new UnsupportedOperationException("tokenizer.ggml.pre = '" + name + "' is not a supported pre-tokenizer;"
                + " supported: " + Arrays.stream(values()).flatMap(p -> p.names.stream()).collect(Collectors.joining(", ")));
    }

    /** True when a word that is itself a token is emitted whole, without merging (Llama 3). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether llama.cpp adds BOS when the file has no {@code tokenizer.ggml.add_bos_token}. */
    boolean addBosByDefault() {
        return addBosByDefault;
    }

    /** The words of {@code text}, in order; their concatenation is the text. */
    List<String> split(String text) {
        List<int[]> spans = new ArrayList<>();
        spans.add(new int[] {0, text.length()});
        for (Pattern pattern : patterns) {
            List<int[]> refined = new ArrayList<>(spans.size() * 2);
            Matcher m = pattern.matcher(text);
            for (int[] span : spans) {
                m.region(span[0], span[1]);
                int at = span[0];
                while (m.find()) {
                    if (m.start() > at) {
                        refined.add(new int[] {at, m.start()});
                    }
                    refined.add(new int[] {m.start(), m.end()});
                    at = m.end();
                }
                if (at < span[1]) {
                    refined.add(new int[] {at, span[1]});
                }
            }
            spans = refined;
        }
        return spans.stream().map(s -> text.substring(s[0], s[1])).toList();
    }

    private static final class Regex {
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /** Llama 3's expression with single digits. */
        static final String QWEN2 = LLAMA3.replace("\\p{N}{1,3}", "\\p{N}");
        /** DeepSeek's list of cased letters (Lu, Ll, Lt of an older Unicode), as its tokenizer.json spells it. */
        static final String DEEPSEEK_CASED_LETTERS = "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}"
                + "\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
                + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}"
                + "\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}"
                + "\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
                + "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}"
                + "\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}"
                + "\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
                + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
                + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}"
                + "\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}"
                + "\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}"
                + "\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
                + "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
                + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
                + "\\x{1E900}-\\x{1E943}";

        private Regex() {}
    }
}
