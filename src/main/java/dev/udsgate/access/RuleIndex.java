package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.config.PathPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A policy's rules filed by method and by the first segment of the paths they match, so that a
 * request tries only the rules that could match it, in their order: with 100 rules about other
 * paths and methods, deciding a {@code GET /_ping} cost 2.7 µs of CPU more than with no rules
 * ({@code bench/access.sh}, trying every rule in turn); this index brings it to one or two rules.
 *
 * <p>Built once per policy and shared by every connection of its listener. Looking a request up
 * copies nothing: its first segment is hashed where it lies in the path ({@link SegmentTable}).
 */
final class RuleIndex {

    private static final int[] NONE = {};

    private final AccessPolicy policy;
    /** By method named in a rule; a method no rule names finds {@link #otherMethods}. */
    private final Map<String, ByPath> byMethod;

    private final ByPath otherMethods;

    private RuleIndex(AccessPolicy policy, Map<String, ByPath> byMethod, ByPath otherMethods) {
        this.policy = policy;
        this.byMethod = byMethod;
        this.otherMethods = otherMethods;
    }

    static RuleIndex of(AccessPolicy policy) {
        List<AccessRule> rules = policy.rules();
        Set<String> methods = new HashSet<>();
        rules.forEach(rule -> rule.methods().ifPresent(methods::addAll));
        Map<String, ByPath> byMethod = new HashMap<>();
        for (String method : methods) {
            byMethod.put(method, ByPath.of(rules, rule -> rule.matchesMethod(method)));
        }
        return new RuleIndex(
                policy, byMethod, ByPath.of(rules, rule -> rule.methods().isEmpty()));
    }

    AccessPolicy policy() {
        return policy;
    }

    /**
     * The rules that may match a request of {@code method}: two ascending lists to walk together
     * (a rule may be in both), those filed under the path's first segment ({@link ByPath#direct}),
     * and those of rules that allow an API version, filed under the first segment after it
     * ({@link ByPath#unversioned}).
     */
    ByPath forMethod(String method) {
        return byMethod.getOrDefault(method, otherMethods);
    }

    /** Rules filed by the first segment of the whole path, and (for {@code anyApiVersion}) of the path after its version. */
    record ByPath(SegmentTable directTable, SegmentTable unversionedTable) {

        int[] direct(String path) {
            return directTable.get(path, 0);
        }

        /** @param versionEnd where the path's API version segment ends, or -1 ({@link AccessRule#apiVersionEnd}) */
        int[] unversioned(String path, int versionEnd) {
            return versionEnd > 0 ? unversionedTable.get(path, versionEnd) : NONE;
        }

        static ByPath of(List<AccessRule> rules, java.util.function.Predicate<AccessRule> method) {
            return new ByPath(table(rules, method, false), table(rules, method, true));
        }

        private static SegmentTable table(
                List<AccessRule> rules, java.util.function.Predicate<AccessRule> method, boolean unversioned) {
            Map<String, TreeSet<Integer>> bySegment = new HashMap<>();
            TreeSet<Integer> anySegment = new TreeSet<>();
            for (int i = 0; i < rules.size(); i++) {
                AccessRule rule = rules.get(i);
                if (!method.test(rule) || (unversioned && !rule.anyApiVersion())) {
                    continue;
                }
                if (rule.paths().isEmpty()) {
                    if (!unversioned) {
                        anySegment.add(i); // every path; filed once, under the whole path
                    }
                    continue;
                }
                for (PathPattern pattern : rule.paths().get()) {
                    String first = pattern.firstSegment();
                    if (first == null) {
                        anySegment.add(i);
                    } else {
                        bySegment.computeIfAbsent(first, key -> new TreeSet<>()).add(i);
                    }
                }
            }
            Map<String, int[]> lists = new HashMap<>();
            bySegment.forEach((segment, filed) -> {
                TreeSet<Integer> all = new TreeSet<>(filed);
                all.addAll(anySegment);
                lists.put(segment, ints(all));
            });
            return new SegmentTable(lists, ints(anySegment));
        }

        private static int[] ints(TreeSet<Integer> sorted) {
            return sorted.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * First segments to rule lists, looked up by a region of a path without copying it: open
     * addressing on the region's {@link String#hashCode} (so a key hashes as its own string does).
     */
    static final class SegmentTable {
        private final String[] keys;
        private final int[][] values;
        private final int[] otherwise;
        private final int mask;

        SegmentTable(Map<String, int[]> lists, int[] otherwise) {
            int size = Integer.highestOneBit(Math.max(1, lists.size()) * 2) * 2;
            this.keys = new String[size];
            this.values = new int[size][];
            this.otherwise = otherwise;
            this.mask = size - 1;
            List<String> ordered = new ArrayList<>(lists.keySet());
            for (String key : ordered) {
                int slot = key.hashCode() & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                values[slot] = lists.get(key);
            }
        }

        /** The list filed under the segment that starts after the {@code /} at {@code from}. */
        int[] get(String path, int from) {
            int start = from + 1;
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int hash = 0;
            for (int i = start; i < end; i++) {
                hash = 31 * hash + path.charAt(i);
            }
            int length = end - start;
            for (int slot = hash & mask; keys[slot] != null; slot = (slot + 1) & mask) {
                String key = keys[slot];
                if (key.length() == length && path.startsWith(key, start)) {
                    return values[slot];
                }
            }
            return otherwise;
        }
    }
}
