package dev.morphserve.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;

/**
 * The soak's request mix: streamed and whole completions and chat completions of varied lengths,
 * some with two choices and logprobs, some clients that hang up mid-stream, and a few bad
 * requests. Request {@code i} depends only on the seed and {@code i}, so two runs send the same mix.
 */
public final class SoakMix {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SENTENCES = {
        "Once upon a time there was a little girl named Lily.",
        "She liked to play in the park with her red ball.",
        "One day a big dog came and took the ball away.",
        "Tom was sad, so his mom gave him a warm hug.",
        "The sun was bright and the birds sang in the trees.",
        "They found a small box under the old bed.",
    };

    private final long seed;
    private final int maxPromptTokens;
    private final int maxOutputTokens;

    /** @param contextTokens the server's context: prompts and outputs stay well inside it */
    public SoakMix(long seed, int contextTokens) {
        this.seed = seed;
        this.maxPromptTokens = Math.max(8, Math.min(160, contextTokens / 3));
        this.maxOutputTokens = Math.max(8, Math.min(96, contextTokens / 4));
    }

    public SoakRequest request(int index) {
        SplittableRandom random = new SplittableRandom(seed * 31 + index);
        int pick = random.nextInt(100);
        if (pick < 28) {
            return completion(random, "completion_stream", true, 1, random.nextInt(3) == 0);
        }
        if (pick < 46) {
            return chat(random, "chat_stream", true, 1, false);
        }
        if (pick < 58) {
            return completion(random, "completion", false, 1, false);
        }
        if (pick < 68) {
            return completion(random, "completion_n2_logprobs", random.nextBoolean(), 2, true);
        }
        if (pick < 80) {
            return chat(random, "chat_n2_logprobs", random.nextBoolean(), 2, true);
        }
        if (pick < 96) {
            return disconnecting(random);
        }
        return bad(random);
    }

    private SoakRequest completion(SplittableRandom random, String kind, boolean stream, int n, boolean logprobs) {
        ObjectNode body = common(random, stream, n);
        ArrayNode prompt = body.putArray("prompt");
        tokenIds(prompt, random, random.nextInt(4, maxPromptTokens + 1));
        if (logprobs) {
            body.put("logprobs", random.nextInt(1, 4));
        }
        return new SoakRequest(kind, "v1/completions", body.toString(), stream, 0, stream && n == 1);
    }

    private SoakRequest chat(SplittableRandom random, String kind, boolean stream, int n, boolean logprobs) {
        ObjectNode body = common(random, stream, n);
        body.remove("max_tokens");
        body.put("max_completion_tokens", random.nextInt(4, maxOutputTokens + 1));
        ArrayNode messages = body.putArray("messages");
        if (random.nextBoolean()) {
            messages.addObject().put("role", "system").put("content", "You tell short stories for children.");
        }
        messages.addObject().put("role", "user").put("content", text(random));
        if (logprobs) {
            body.put("logprobs", true);
            body.put("top_logprobs", random.nextInt(0, 4));
        }
        return new SoakRequest(kind, "v1/chat/completions", body.toString(), stream, 0, stream && n == 1);
    }

    /** A long stream the client abandons after a few tokens: the server must free its KV blocks. */
    private SoakRequest disconnecting(SplittableRandom random) {
        ObjectNode body = common(random, true, 1);
        body.put("max_tokens", maxOutputTokens * 2);
        body.put("ignore_eos", true);
        ArrayNode prompt = body.putArray("prompt");
        tokenIds(prompt, random, random.nextInt(4, maxPromptTokens + 1));
        return new SoakRequest("disconnect_stream", "v1/completions", body.toString(), true, random.nextInt(1, 5), false);
    }

    /** Each must be answered 4xx; a 200 or 5xx here is a validation bug the report shows by kind. */
    private static SoakRequest bad(SplittableRandom random) {
        String body = switch (random.nextInt(4)) {
            case 0 -> "{\"prompt\": \"Once upon a time\", \"max_tokens\": 8, \"no_such_field\": 1}";
            case 1 -> "{\"prompt\": \"Once upon a time\", \"max_tokens\": -5}";
            case 2 -> "{\"prompt\": \"Once upon a time\", \"max_tokens\": 8,";
            default -> "{\"prompt\": {\"not\": \"a prompt\"}, \"max_tokens\": 8}";
        };
        return new SoakRequest("bad_request", "v1/completions", body, false, 0, false);
    }

    private ObjectNode common(SplittableRandom random, boolean stream, int n) {
        ObjectNode body = JSON.createObjectNode();
        body.put("max_tokens", random.nextInt(4, maxOutputTokens + 1));
        body.put("temperature", random.nextBoolean() ? 0.0 : 0.8);
        body.put("seed", random.nextLong(1_000_000));
        if (random.nextBoolean()) {
            body.put("ignore_eos", true); // exact lengths for half of them; the rest may stop early at EOS
        }
        if (n > 1) {
            body.put("n", n);
        }
        body.put("stream", stream);
        return body;
    }

    /**
     * Token ids 300..500: clear of the control and byte tokens at the bottom of small Llama
     * vocabularies, and random, so that no prefix cache flatters the latencies.
     */
    private static void tokenIds(ArrayNode prompt, SplittableRandom random, int length) {
        for (int i = 0; i < length; i++) {
            prompt.add(random.nextInt(300, 501));
        }
    }

    private static String text(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int sentences = random.nextInt(1, 6);
        for (int i = 0; i < sentences; i++) {
            text.append(i == 0 ? "" : " ").append(SENTENCES[random.nextInt(SENTENCES.length)]);
        }
        return text.toString();
    }
}
