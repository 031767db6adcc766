package dev.udsgate.access;

import dev.udsgate.config.ListenerConfig;
import java.util.List;

/**
 * What applies to one caller on the listener it came through, as {@code GET /v1/connections/self}
 * tells it: the rules whose conditions on the peer hold for it (which of them decides a request
 * depends on the request), and whether it may use the API's writes.
 *
 * @param listener the listener, with its policy
 * @param rules the indexes, in order, of the listener's rules that apply to this peer
 * @param adminWrites whether the API's writes are open to it here: the listener offers the whole
 *     API, and it is root or udsgate's own user, or a rule that applies to it says {@code admin: true}
 *     (which must then also match the write's method and path)
 */
public record CallerAccess(ListenerConfig listener, List<Integer> rules, boolean adminWrites) {

    public CallerAccess {
        rules = List.copyOf(rules);
    }
}
