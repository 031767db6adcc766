package dev.udsgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.api.EventStream.Format;
import org.junit.jupiter.api.Test;

class EventFormatsTest {

    @Test
    void noAcceptAWildcardOrSomethingElseGetsNdjson() {
        assertThat(EventFormats.chosenBy(null)).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("")).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("*/*")).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("application/json")).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("application/x-ndjson")).isEqualTo(Format.NDJSON);
    }

    @Test
    void aClientAskingForServerSentEventsAloneOrFirstByQualityGetsThem() {
        assertThat(EventFormats.chosenBy("text/event-stream")).isEqualTo(Format.SSE);
        assertThat(EventFormats.chosenBy("Text/Event-Stream")).isEqualTo(Format.SSE);
        assertThat(EventFormats.chosenBy("text/event-stream, */*;q=0.1")).isEqualTo(Format.SSE);
        assertThat(EventFormats.chosenBy("text/*")).isEqualTo(Format.SSE);
        assertThat(EventFormats.chosenBy("application/x-ndjson;q=0.5, text/event-stream"))
                .isEqualTo(Format.SSE);
    }

    @Test
    void aTieIsTheDefaultsWhateverTheOrder() {
        // What a generated client sends: every media type the contract lists, in its order.
        assertThat(EventFormats.chosenBy("text/event-stream,application/x-ndjson,application/problem+json"))
                .isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("text/event-stream, */*")).isEqualTo(Format.NDJSON);
    }

    @Test
    void aWeightOfZeroOrOneThatDoesNotParseRefusesThatType() {
        assertThat(EventFormats.chosenBy("text/event-stream;q=0")).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("text/event-stream;q=high")).isEqualTo(Format.NDJSON);
        assertThat(EventFormats.chosenBy("*/*, application/x-ndjson;q=0")).isEqualTo(Format.SSE);
    }
}
