package dev.jdm.host.security;

import dev.jdm.abi.sec.PolicyException;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Security modules' policy texts. A module never opens a file: the host keeps each module's policy
 * at {@code <state-dir>/security/<module>.policy}, hands its text to the module when it registers,
 * and on {@code jdm sec reload} takes new text from the caller, lets the module check it, and only
 * then stores it (the previous file and policy stay if the module refuses).
 */
final class Policies {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final int MAX_POLICY = 1 << 20;

    private final Security security;

    Policies(Security security) {
        this.security = security;
    }

    Path file(String module) {
        return security.stateDir().resolve("security").resolve(module + ".policy");
    }

    /** The stored policy of a module, or null if it has none. */
    String text(String module) {
        Path f = file(module);
        if (!NAME.matcher(module).matches() || !Files.isRegularFile(f)) {
            return null;
        }
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HostException(Errno.EIO, module + ": cannot read policy " + f + ": " + e.getMessage());
        }
    }

    String reload(Task task, String module, String text) {
        StackedModule m = security.stack().list().stream()
                .filter(x -> x.name.equals(module) && x.state == StackedModule.State.LIVE)
                .max(Comparator.comparingInt(x -> x.id))
                .orElseThrow(() -> new HostException(Errno.ENOENT, "sec reload: no live security module " + module));
        String key = "security.policy." + module;
        security.checkSysctlWrite(task, new SysctlWrite(key, file(module).toString(), text == null ? "(reread)" : "(" + text.length() + " bytes)"));
        String policy = text;
        if (policy == null) {
            policy = text(module);
            if (policy == null) {
                throw new HostException(Errno.ENOENT, "sec reload: " + module + " has no policy file " + file(module) + "; give one: jdm sec reload " + module + " FILE");
            }
        }
        if (policy.length() > MAX_POLICY) {
            throw new HostException(Errno.EINVAL, "sec reload: policy larger than " + MAX_POLICY + " characters");
        }
        try {
            m.impl.policy(policy);
        } catch (PolicyException e) {
            throw new HostException(Errno.EINVAL, module + ": policy line " + e.line() + ", column " + e.column() + ": " + e.getMessage()
                    + "; the previous policy stays in force");
        } catch (UnsupportedOperationException e) {
            throw new HostException(Errno.EINVAL, module + ": this security module takes no policy");
        } catch (RuntimeException e) {
            throw new HostException(Errno.EINVAL, module + ": policy() failed: " + e + "; the previous policy stays in force");
        }
        if (text != null) {
            store(module, text);
        }
        security.info(module + ": policy " + (text == null ? "re-read from " + file(module) : "replaced") + " by uid " + task.credentials().uid());
        return module + ": policy loaded (" + policy.lines().count() + " lines)";
    }

    private void store(String module, String text) {
        Path f = file(module);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), module, ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HostException(Errno.EIO, module + ": policy is in force but could not be stored in " + f + ": " + e.getMessage());
        }
    }
}
