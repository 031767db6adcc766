package dev.udsgate.gateway;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Tells a request this gateway has forwarded before: each gateway names itself in {@code Via} with a
 * random token of its own ({@code 1.1 udsgate-3f2a9c01d4e5b6a7}), so a request that comes back
 * through a route to its own socket, however the path was spelled (a link, a bind mount), is seen
 * and answered {@code 508 Loop Detected} instead of looping until the file descriptors run out.
 * Other gateways, udsgate or not, have other tokens and pass.
 */
final class LoopGuard {

    private final String viaHost;

    LoopGuard() {
        byte[] token = new byte[8];
        new SecureRandom().nextBytes(token);
        this.viaHost = "udsgate-" + HexFormat.of().formatHex(token);
    }

    /** This gateway's name in {@code Via}. */
    String viaHost() {
        return viaHost;
    }

    /** True if {@code headers} say this gateway forwarded the request already. Nothing is allocated. */
    boolean seenIn(HttpFields headers) {
        if (!headers.contains(HttpHeader.VIA)) {
            return false;
        }
        for (HttpField field : headers) {
            if (field.getHeader() == HttpHeader.VIA && field.getValue().contains(viaHost)) {
                return true;
            }
        }
        return false;
    }
}
