package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one connection's peer decides of a policy's rules, computed once per connection (and again
 * after a reload gives the listener another policy): for each rule, whether its conditions on the
 * peer hold. A request then only checks what it adds: method, path, route.
 *
 * <p>A condition that cannot be decided (the kernel did not name the peer; its process cannot be
 * read, or had exited before it was: {@code stale}) counts against the caller: an allow rule does
 * not match, a deny rule does.
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

    private static final String KNOWN = "known";

    private enum Answer {
        YES,
        NO,
        UNKNOWN
    }

    private static boolean applies(AccessRule rule, Caller caller) {
        if (!rule.isAboutPeer()) {
            return true;
        }
        AccessRule.ProcessCondition process = rule.process();
        Answer answer = all(
                rule.users().map(users -> one(caller.user(), users)),
                rule.groups().map(groups -> one(caller.group(), groups)),
                rule.anyGroups().map(groups -> anyOf(caller, groups)),
                process.exe().map(exes -> exe(caller.process().get(), exes)),
                process.container().map(ids -> container(caller.process().get(), ids)),
                process.pod().map(uids -> pod(caller.process().get(), uids)));
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

    /** Its executable; unknown when the process is not known, or its link could not be read. */
    private static Answer exe(ProcessView process, Set<String> exes) {
        if (!KNOWN.equals(process.status()) || process.exe() == null) {
            return Answer.UNKNOWN;
        }
        return exes.contains(process.exe()) ? Answer.YES : Answer.NO;
    }

    /** Its container, by id prefix, or any ({@code *}); a known process in none matches no id. */
    private static Answer container(ProcessView process, Set<String> ids) {
        if (!KNOWN.equals(process.status())) {
            return Answer.UNKNOWN;
        }
        ProcessView.ContainerView container = process.container();
        if (container == null) {
            return Answer.NO;
        }
        if (ids.contains(AccessRule.ProcessCondition.ANY)) {
            return Answer.YES;
        }
        if (container.id() == null) {
            return Answer.UNKNOWN; // in a container whose cgroup does not name it
        }
        return ids.stream().anyMatch(container.id()::startsWith) ? Answer.YES : Answer.NO;
    }

    /** Its Kubernetes pod, by UID, or any ({@code *}). */
    private static Answer pod(ProcessView process, Set<String> uids) {
        if (!KNOWN.equals(process.status())) {
            return Answer.UNKNOWN;
        }
        String uid = process.container() == null ? null : process.container().podUid();
        if (uid == null) {
            return Answer.NO;
        }
        return uids.contains(AccessRule.ProcessCondition.ANY) || uids.contains(uid) ? Answer.YES : Answer.NO;
    }

    /** The primary group, or one of the supplementary groups (what {@code id -G} lists). */
    private static Answer anyOf(Caller caller, Set<String> names) {
        if (one(caller.group(), names) == Answer.YES) {
            return Answer.YES;
        }
        Optional<List<Principal>> groups = caller.supplementaryGroups();
        if (groups.isEmpty()) {
            return Answer.UNKNOWN;
        }
        return groups.get().stream().anyMatch(group -> one(group, names) == Answer.YES) ? Answer.YES : Answer.NO;
    }
}
