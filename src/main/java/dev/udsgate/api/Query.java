package dev.udsgate.api;

import dev.udsgate.http.ProblemException;
import dev.udsgate.system.UserDirectory;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * An endpoint's query parameters, parsed once. A parameter the endpoint does not know, or a value
 * that does not parse, is a 400 problem that names it: a typo must not silently widen a filter.
 */
final class Query {

    private static final Pattern UNIX_SECONDS = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");

    private final Fields fields;

    private Query(Fields fields) {
        this.fields = fields;
    }

    static Query of(ApiCall call, Set<String> known) {
        Fields fields;
        try {
            fields = Request.extractQueryParameters(call.request());
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Jetty's HttpException: a % not followed by two hex digits, or bytes that are not UTF-8.
            throw ProblemException.badRequest("the query string is not valid: each % must begin a percent-encoded"
                    + " UTF-8 byte, such as %20 for a space or %25 for % itself");
        }
        for (String name : fields.getNames()) {
            if (!known.contains(name)) {
                throw ProblemException.badRequest("unknown query parameter '" + name + "'; this endpoint takes "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
        return new Query(fields);
    }

    Optional<String> single(String name) {
        List<String> values = all(name);
        if (values.size() > 1) {
            throw ProblemException.badRequest(
                    "query parameter '" + name + "' is given " + values.size() + " times; give it once");
        }
        return values.stream().findFirst();
    }

    List<String> all(String name) {
        Fields.Field field = fields.get(name);
        return field == null ? List.of() : field.getValues();
    }

    /** A user as a name ({@code nobody}) or a uid ({@code 65534}), as the kernel's ids go: 0 to 2^32 - 1. */
    Optional<String> user(String name) {
        return single(name).map(text -> {
            if (text.isEmpty() || (text.chars().allMatch(Character::isDigit) && !UserDirectory.isUid(text))) {
                throw ProblemException.badRequest("query parameter '" + name + "' must be a user name or a uid from 0"
                        + " to " + UserDirectory.MAX_UID + ", got '" + text + "'");
            }
            return text;
        });
    }

    /** A time as RFC 3339 ({@code 2026-11-24T06:03:09Z}) or Unix seconds ({@code 1795500000.5}). */
    Optional<Instant> time(String name) {
        return single(name).map(text -> parseTime(name, text));
    }

    private static Instant parseTime(String name, String text) {
        try {
            if (UNIX_SECONDS.matcher(text).matches()) {
                BigDecimal seconds = new BigDecimal(text);
                return Instant.ofEpochSecond(
                        seconds.longValue(),
                        seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException | ArithmeticException e) {
            throw ProblemException.badRequest("query parameter '" + name + "' must be an RFC 3339 time such as"
                    + " 2026-11-24T06:03:09Z or Unix seconds such as 1795500000, got '" + text + "'");
        }
    }
}
