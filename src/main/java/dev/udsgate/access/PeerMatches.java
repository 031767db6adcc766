package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.system.Principal;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one connection's peer decides of a policy's rules, computed once per connection (and again
 * after a reload gives the listener another policy): for each rule, whether its conditions on the
 * peer hold. A request then only checks what it adds: method, path, route.
 *
 * <p>A condition that cannot be decided (the kernel did not name the peer; its supplementary groups
 * cannot be read) counts against the caller: an allow rule does not match, a deny rule does.
 *
 * @param index the policy's rules, indexed, as these were computed for; another policy means
 *     computing them again
 * @param applies for each rule, in order, whether it applies to this peer
 */
record PeerMatches(RuleIndex index, Caller caller, boolean[] applies) {

    static PeerMatches of(AccessPolicy policy, Caller caller) {
        return of(RuleIndex.of(policy), caller);
    }

    static PeerMatches of(RuleIndex index, Caller caller) {
        List<AccessRule> rules = index.policy().rules();
        boolean[] applies = new boolean[rules.size()];
        for (int i = 0; i < applies.length; i++) {
            applies[i] = applies(rules.get(i), caller);
        }
        return new PeerMatches(index, caller, applies);
    }

    AccessPolicy policy() {
        return index.policy();
    }

    private enum Answer {
        YES,
        NO,
        UNKNOWN
    }

    private static boolean applies(AccessRule rule, Caller caller) {
        if (!rule.isAboutPeer()) {
            return true;
        }
        Answer answer = all(
                rule.users().map(users -> one(caller.user(), users)),
                rule.groups().map(groups -> one(caller.group(), groups)),
                rule.anyGroups().map(groups -> anyOf(caller, groups)));
        return answer == Answer.YES || (answer == Answer.UNKNOWN && !rule.allow());
    }

    @SafeVarargs
    private static Answer all(Optional<Answer>... answers) {
        Answer all = Answer.YES;
        for (Optional<Answer> answer : answers) {
            if (answer.isPresent() && answer.get() == Answer.NO) {
                return Answer.NO;
            }
            if (answer.isPresent() && answer.get() == Answer.UNKNOWN) {
                all = Answer.UNKNOWN;
            }
        }
        return all;
    }

    private static Answer one(Principal principal, Set<String> names) {
        if (principal == null) {
            return Answer.UNKNOWN;
        }
        return names.stream().anyMatch(principal::matches) ? Answer.YES : Answer.NO;
    }

    /** The primary group, or one of the supplementary groups (what {@code id -G} lists). */
    private static Answer anyOf(Caller caller, Set<String> names) {
        if (one(caller.group(), names) == Answer.YES) {
            return Answer.YES;
        }
        Optional<List<Principal>> groups = caller.supplementaryGroups().get();
        if (groups.isEmpty()) {
            return Answer.UNKNOWN;
        }
        return groups.get().stream().anyMatch(group -> one(group, names) == Answer.YES) ? Answer.YES : Answer.NO;
    }
}
