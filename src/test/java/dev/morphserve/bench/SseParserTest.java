package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SseParserTest {

    @Test
    void contentChunksDoneAndUsage() {
        assertThat(SseParser.parse("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"text\":\" Once\",\"finish_reason\":null}]}"))
                .isEqualTo(new SseEvent.Chunk(true, -1, null));
        assertThat(SseParser.parse("data: [DONE]")).isEqualTo(new SseEvent.Done());
        assertThat(SseParser.parse("data:[DONE]")).isEqualTo(new SseEvent.Done());
        assertThat(SseParser.parse("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":17,\"total_tokens\":22}}"))
                .isEqualTo(new SseEvent.Chunk(false, 17, null));
        // Usage riding on the last token's chunk (continuous usage stats) counts both.
        assertThat(SseParser.parse("data: {\"choices\":[{\"text\":\"a\"}],\"usage\":{\"completion_tokens\":3}}"))
                .isEqualTo(new SseEvent.Chunk(true, 3, null));
    }

    @Test
    void emptyTextIsATokenUnlessItOnlyCarriesTheFinishReason() {
        // A token ending inside a UTF-8 sequence decodes to "" and still is a token.
        assertThat(SseParser.parse("data: {\"choices\":[{\"text\":\"\",\"finish_reason\":null}]}"))
                .isEqualTo(new SseEvent.Chunk(true, -1, null));
        assertThat(SseParser.parse("data: {\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}"))
                .isEqualTo(new SseEvent.Chunk(false, -1, null));
        assertThat(SseParser.parse("data: {\"choices\":[{\"text\":\"end\",\"finish_reason\":\"length\"}]}"))
                .isEqualTo(new SseEvent.Chunk(true, -1, null));
    }

    @Test
    void chatDeltasCountOnlyWhenTheyCarryContent() {
        assertThat(SseParser.parse("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}"))
                .isEqualTo(new SseEvent.Chunk(false, -1, null));
        assertThat(SseParser.parse("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}"))
                .isEqualTo(new SseEvent.Chunk(true, -1, null));
    }

    @Test
    void errorsInTheStreamAndMalformedData() {
        assertThat(SseParser.parse("data: {\"error\":{\"message\":\"out of blocks\",\"type\":\"server_error\"}}"))
                .isEqualTo(new SseEvent.Chunk(false, -1, "server error in stream: out of blocks"));
        SseEvent malformed = SseParser.parse("data: {\"choices\": [");
        assertThat(malformed).isInstanceOfSatisfying(SseEvent.Chunk.class,
                c -> assertThat(c.error()).startsWith("malformed SSE data: {\"choices\""));
    }

    @Test
    void ignoresSeparatorsCommentsAndOtherFields() {
        for (String line : new String[] {"", ": ping", "event: message", "id: 7", "retry: 1000", "data:", "data:   "}) {
            assertThat(SseParser.parse(line)).as(line).isEqualTo(new SseEvent.Ignored());
        }
    }
}
