package dev.udsgate.gateway;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Headers that belong to one connection and must not cross the gateway (RFC 9110 §7.6.1): the
 * standard ones, and those a {@code Connection} header names.
 */
final class HopByHop {

    private static final Set<HttpHeader> STANDARD = EnumSet.of(
            HttpHeader.CONNECTION,
            HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_AUTHORIZATION,
            HttpHeader.PROXY_AUTHENTICATE,
            HttpHeader.PROXY_CONNECTION,
            HttpHeader.TRANSFER_ENCODING,
            HttpHeader.TE,
            HttpHeader.TRAILER,
            HttpHeader.UPGRADE);

    private HopByHop() {}

    static boolean isStandard(HttpHeader header) {
        return header != null && STANDARD.contains(header);
    }

    /**
     * The lower-case names that {@code Connection} values list besides {@code close} and
     * {@code keep-alive}, or an empty set (the usual case, with nothing allocated).
     */
    static Set<String> named(Iterable<HttpField> fields) {
        Set<String> named = Set.of();
        for (HttpField field : fields) {
            if (field.getHeader() != HttpHeader.CONNECTION) {
                continue;
            }
            for (String token : field.getValues()) {
                String name = token.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive")) {
                    if (named.isEmpty()) {
                        named = new java.util.HashSet<>();
                    }
                    named.add(name);
                }
            }
        }
        return named;
    }

    /** True if {@code field} must not be forwarded, given the names the {@code Connection} header listed. */
    static boolean drops(HttpField field, Set<String> named) {
        return isStandard(field.getHeader()) || (!named.isEmpty() && named.contains(field.getLowerCaseName()));
    }

    static Set<String> named(HttpFields fields) {
        return fields.contains(HttpHeader.CONNECTION) ? named((Iterable<HttpField>) fields) : Set.of();
    }
}
