package dev.morphserve.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakMixTest {
    @Test
    void theMixHasEveryKindAndStaysInsideTheContext() throws Exception {
        SoakMix mix = new SoakMix(7, 256);
        Map<String, Integer> kinds = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 2000; i++) {
            SoakRequest r = mix.request(i);
            kinds.merge(r.kind(), 1, Integer::sum);
            assertThat(r).isEqualTo(mix.request(i)); // a function of seed and index only
            if (r.kind().equals("bad_request")) {
                continue;
            }
            var body = json.readTree(r.body());
            int output = body.has("max_tokens") ? body.get("max_tokens").asInt() : body.get("max_completion_tokens").asInt();
            int prompt = body.has("prompt") ? body.get("prompt").size() : 0;
            assertThat(prompt + output).as(r.body()).isLessThanOrEqualTo(256);
            assertThat(r.timed()).isEqualTo(r.stream() && r.disconnectAfterChunks() == 0 && !body.has("n"));
        }
        assertThat(kinds.keySet()).containsExactlyInAnyOrder("completion_stream", "chat_stream", "completion", "completion_n2_logprobs",
                "chat_n2_logprobs", "disconnect_stream", "bad_request");
        assertThat(kinds.get("bad_request")).isBetween(40, 120);
    }
}
