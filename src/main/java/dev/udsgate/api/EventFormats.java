package dev.udsgate.api;

import java.util.Locale;

/**
 * Which format of the event stream an {@code Accept} header asks for. Server-Sent Events only when
 * the client prefers them to NDJSON by quality (RFC 9110 §12.5.1: the order of a list means
 * nothing, only {@code q}); a tie, a wildcard or no header gets the default, NDJSON. Generated
 * clients send every media type the contract lists ({@code text/event-stream,
 * application/x-ndjson, ...}): they get NDJSON, as a client that says nothing does. A browser's
 * {@code EventSource} sends {@code text/event-stream} alone and gets Server-Sent Events.
 */
final class EventFormats {

    private EventFormats() {}

    static EventStream.Format chosenBy(String accept) {
        if (accept == null || accept.isBlank()) {
            return EventStream.Format.NDJSON;
        }
        double sse = quality(accept, EventStream.Format.SSE.contentType);
        double ndjson = quality(accept, EventStream.Format.NDJSON.contentType);
        return sse > ndjson ? EventStream.Format.SSE : EventStream.Format.NDJSON;
    }

    /** The {@code q} of the most specific range that matches {@code type/subtype}; 0 if none does. */
    static double quality(String accept, String mediaType) {
        String type = mediaType.substring(0, mediaType.indexOf('/'));
        int bestSpecificity = -1;
        double best = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String name = parts[0].strip().toLowerCase(Locale.ROOT);
            int specificity = name.equals(mediaType) ? 2 : name.equals(type + "/*") ? 1 : name.equals("*/*") ? 0 : -1;
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                best = qualityOf(parts);
            }
        }
        return best;
    }

    private static double qualityOf(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.regionMatches(true, 0, "q=", 0, 2)) {
                try {
                    return Math.max(
                            0,
                            Math.min(
                                    1, Double.parseDouble(parameter.substring(2).strip())));
                } catch (NumberFormatException e) {
                    return 0; // an unreadable weight accepts nothing, rather than everything
                }
            }
        }
        return 1;
    }
}
