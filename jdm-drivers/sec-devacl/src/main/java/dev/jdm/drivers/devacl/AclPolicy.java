package dev.jdm.drivers.devacl;

import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.PolicyException;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A device ACL:
 * <pre>
 * default = "none"            # when no rule decides: none (no opinion), allow or deny
 *
 * [[rule]]
 * device = ["ram*", "sd?"]    # globs over device names (required)
 * kind = "block"              # block, char or any (default any)
 * uid = [1000]                # any of these uids ...
 * gid = 6                     # ... or groups (primary or supplementary) ...
 * program = "/usr/bin/qemu-*" # ... or programs; a rule without uid, gid and program is for everyone
 * allow = ["read", "write"]   # operations granted: read, write, ioctl, call (a char device's typed calls)
 * deny = ["write"]            # operations refused
 * </pre>
 * The first rule that matches the device and the task and names a requested operation decides:
 * a requested operation in {@code deny} denies; all requested operations in {@code allow} allow;
 * some requested operation missing from {@code allow} denies.
 */
final class AclPolicy {
    /** Operations a rule can name. */
    enum Op { READ, WRITE, IOCTL, CALL }

    enum Default { NONE, ALLOW, DENY }

    record Rule(int number, int line, List<String> devices, DeviceKind kind, List<Integer> uids, List<Integer> gids,
            List<String> programs, Set<Op> allow, Set<Op> deny) {
        boolean appliesTo(DeviceKind k, String device, TaskCred t) {
            if (kind != null && kind != k || devices.stream().noneMatch(g -> Glob.matches(g, device))) {
                return false;
            }
            if (uids.isEmpty() && gids.isEmpty() && programs.isEmpty()) {
                return true;
            }
            return uids.contains(t.uid()) || gids.stream().anyMatch(t::inGroup) || programs.stream().anyMatch(p -> Glob.matches(p, t.program()));
        }
    }

    static final AclPolicy EMPTY = new AclPolicy(Default.NONE, List.of());

    final Default dflt;
    final List<Rule> rules;

    AclPolicy(Default dflt, List<Rule> rules) {
        this.dflt = dflt;
        this.rules = List.copyOf(rules);
    }

    /** The vote for {@code ops} on a device. */
    Vote decide(DeviceKind kind, String device, TaskCred task, Set<Op> ops) {
        for (Rule r : rules) {
            if (!r.appliesTo(kind, device, task)) {
                continue;
            }
            for (Op op : ops) {
                if (r.deny().contains(op)) {
                    return Vote.deny("rule " + r.number() + " (line " + r.line() + ") denies " + name(op) + " on " + device + " to uid " + task.uid());
                }
            }
            if (!r.allow().isEmpty()) {
                for (Op op : ops) {
                    if (!r.allow().contains(op)) {
                        return Vote.deny("rule " + r.number() + " (line " + r.line() + ") grants uid " + task.uid() + " only "
                                + r.allow().stream().map(AclPolicy::name).toList() + " on " + device);
                    }
                }
                return Vote.ALLOW;
            }
        }
        return switch (dflt) {
            case NONE -> Vote.NO_OPINION;
            case ALLOW -> Vote.ALLOW;
            case DENY -> Vote.deny("no rule grants " + ops.stream().map(AclPolicy::name).toList() + " on " + device + " to uid " + task.uid()
                    + " (default = \"deny\")");
        };
    }

    static String name(Op op) {
        return op.name().toLowerCase();
    }

    /** Parses and checks a policy; every problem names its line and column. */
    static AclPolicy parse(String text) {
        Toml.Document doc = Toml.parse(text);
        Default dflt = Default.NONE;
        for (var e : doc.top().entrySet()) {
            Toml.Value v = e.getValue();
            if (!e.getKey().equals("default")) {
                throw new PolicyException(v.keyLine(), v.keyColumn(), "unknown key " + e.getKey() + " (top-level keys: default)");
            }
            String s = string(v, "default");
            dflt = switch (s) {
                case "none" -> Default.NONE;
                case "allow" -> Default.ALLOW;
                case "deny" -> Default.DENY;
                default -> throw new PolicyException(v.line(), v.column(), "default must be \"none\", \"allow\" or \"deny\", not \"" + s + "\"");
            };
        }
        for (String t : doc.tables().keySet()) {
            if (!t.equals("rule")) {
                Toml.Value first = doc.tables().get(t).stream().flatMap(m -> m.values().stream()).findFirst().orElse(new Toml.Value(null, 1, 1));
                throw new PolicyException(first.line(), first.column(), "unknown table [[" + t + "]] (tables: [[rule]])");
            }
        }
        List<Rule> rules = new ArrayList<>();
        List<Map<String, Toml.Value>> tables = doc.tables().getOrDefault("rule", List.of());
        for (int i = 0; i < tables.size(); i++) {
            rules.add(rule(i + 1, tables.get(i)));
        }
        return new AclPolicy(dflt, rules);
    }

    private static Rule rule(int number, Map<String, Toml.Value> t) {
        int line = t.values().stream().mapToInt(Toml.Value::keyLine).min().orElse(1);
        for (var e : t.entrySet()) {
            if (!Set.of("device", "kind", "uid", "gid", "program", "allow", "deny").contains(e.getKey())) {
                throw new PolicyException(e.getValue().keyLine(), e.getValue().keyColumn(), "rule " + number + ": unknown key " + e.getKey()
                        + " (keys: device, kind, uid, gid, program, allow, deny)");
            }
        }
        Toml.Value device = t.get("device");
        if (device == null) {
            throw new PolicyException(line, 1, "rule " + number + ": device is required");
        }
        DeviceKind kind = null;
        Toml.Value k = t.get("kind");
        if (k != null) {
            String s = string(k, "kind");
            kind = switch (s) {
                case "block" -> DeviceKind.BLOCK;
                case "char" -> DeviceKind.CHAR;
                case "any" -> null;
                default -> throw new PolicyException(k.line(), k.column(), "kind must be \"block\", \"char\" or \"any\", not \"" + s + "\"");
            };
        }
        Set<Op> allow = ops(t.get("allow"));
        Set<Op> deny = ops(t.get("deny"));
        if (allow.isEmpty() && deny.isEmpty()) {
            throw new PolicyException(line, 1, "rule " + number + ": give allow or deny (operations: read, write, ioctl, call)");
        }
        return new Rule(number, line, strings(device, "device"), kind, ints(t.get("uid"), "uid"), ints(t.get("gid"), "gid"),
                t.get("program") == null ? List.of() : strings(t.get("program"), "program"), allow, deny);
    }

    private static String string(Toml.Value v, String key) {
        if (v.value() instanceof String s) {
            return s;
        }
        throw new PolicyException(v.line(), v.column(), key + " must be a string");
    }

    private static List<Toml.Value> list(Toml.Value v) {
        if (v.value() instanceof List<?> l) {
            List<Toml.Value> out = new ArrayList<>();
            l.forEach(x -> out.add((Toml.Value) x));
            return out;
        }
        return List.of(v);
    }

    private static List<String> strings(Toml.Value v, String key) {
        return list(v).stream().map(x -> string(x, key)).toList();
    }

    private static List<Integer> ints(Toml.Value v, String key) {
        if (v == null) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (Toml.Value x : list(v)) {
            if (!(x.value() instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                throw new PolicyException(x.line(), x.column(), key + " must be a non-negative integer or a list of them");
            }
            out.add(n.intValue());
        }
        return out;
    }

    private static Set<Op> ops(Toml.Value v) {
        Set<Op> out = EnumSet.noneOf(Op.class);
        if (v == null) {
            return out;
        }
        for (Toml.Value x : list(v)) {
            String s = string(x, "operation");
            switch (s) {
                case "read" -> out.add(Op.READ);
                case "write" -> out.add(Op.WRITE);
                case "ioctl" -> out.add(Op.IOCTL);
                case "call" -> out.add(Op.CALL);
                default -> throw new PolicyException(x.line(), x.column(), "unknown operation \"" + s + "\" (read, write, ioctl, call)");
            }
        }
        return out;
    }
}
