package dev.jdm.host.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.Params;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.Grants;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRecord;
import dev.jdm.host.log.LogRing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grant policy as a module meets it: a load parameter's path is granted as the loader asked
 * while grant.params is 1 and only under a rule when it is 0; a path the module chose is granted
 * only under a rule, by its real path, with the access the rule gives; resource_grant votes on
 * every grant and an error there refuses; every refusal is EACCES, logged, and opens nothing.
 */
class ModuleGrantsTest {
    @TempDir
    Path tmp;
    Path granted;
    Path outside;
    final LogRing log = new LogRing(256, null, () -> 0);
    final List<String> asked = new ArrayList<>();
    final AtomicBoolean paramsGranted = new AtomicBoolean(true);

    @BeforeEach
    void files() throws Exception {
        granted = Files.createDirectories(tmp.toRealPath().resolve("granted"));
        outside = Files.createDirectories(tmp.toRealPath().resolve("outside"));
        Files.write(granted.resolve("a.img"), new byte[4096]);
        Files.write(outside.resolve("secret"), "no".getBytes());
    }

    private ModuleGrants grants(Map<String, String> params, GrantAccess access, GrantRule... rules) {
        Params p = new Params() {
            @Override
            public String string(String name) {
                return params.get(name);
            }

            @Override
            public long longValue(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean bool(String name) {
                throw new UnsupportedOperationException();
            }
        };
        return new ModuleGrants("disk", "isolated:files", p, new GrantPolicy(List.of(rules), paramsGranted::get), access, log);
    }

    private GrantAccess recording() {
        return (module, domain, kind, resource) -> asked.add(module + " " + domain + " " + kind + " " + resource);
    }

    @Test
    void shouldGrantAParameterAsTheLoaderAskedAndAskResourceGrant() {
        try (ModuleGrants g = grants(Map.of("backing", outside.resolve("secret").toString()), recording());
                GrantedFile f = g.file("backing", Grants.READ_ONLY)) {
            assertThat(f.size()).isEqualTo(2);
            assertThat(asked).containsExactly("disk isolated:files file " + outside.resolve("secret"));
            assertThat(g.held()).containsExactly(new HeldGrant("disk", "isolated:files", "file", outside.resolve("secret").toString(), "ro",
                    "param backing"));
        }
    }

    @Test
    void shouldGrantParametersOnlyUnderARuleWhenGrantParamsIsZero() {
        paramsGranted.set(false);
        try (ModuleGrants g = grants(Map.of("backing", outside.resolve("secret").toString(), "disk", granted.resolve("a.img").toString()),
                recording(), GrantRule.of("disk", null, granted.toString(), "rw"))) {
            assertThatThrownBy(() -> g.file("backing", Grants.READ_ONLY)).isInstanceOfSatisfying(GrantException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EACCES.number());
                assertThat(e.getMessage()).contains(outside.resolve("secret") + " is not granted to disk by the host's grant policy")
                        .contains("[[grant]] rule with module = \"disk\"");
            });
            assertThat(asked).as("refused before resource_grant is asked").isEmpty();
            try (GrantedFile f = g.file("disk", 0)) {
                assertThat(f.readOnly()).isFalse();
                assertThat(g.held()).extracting(HeldGrant::via).containsExactly("rule " + granted);
            }
        }
        assertThat(log.since(0).stream().map(LogRecord::message)).anyMatch(m -> m.startsWith("disk: grant backing: ") && m.contains("not granted"));
    }

    @Test
    void shouldGrantAPathTheModuleChoseOnlyUnderARuleWithItsAccess() {
        try (ModuleGrants g = grants(Map.of(), recording(), GrantRule.of(null, "isolated:files", granted.toString(), "ro"))) {
            try (GrantedFile f = g.fileAt(granted.resolve("a.img").toString(), Grants.READ_ONLY)) {
                assertThat(f.size()).isEqualTo(4096);
            }
            assertThatThrownBy(() -> g.fileAt(granted.resolve("a.img").toString(), 0)).as("the rule is read-only")
                    .isInstanceOfSatisfying(GrantException.class, e -> assertThat(e.getMessage()).contains("read-write").contains("access = \"rw\""));
            assertThatThrownBy(() -> g.fileAt(outside.resolve("secret").toString(), Grants.READ_ONLY))
                    .isInstanceOfSatisfying(GrantException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EACCES.number()));
            assertThatThrownBy(() -> g.fileAt("relative/path", Grants.READ_ONLY)).hasMessageContaining("is not an absolute path");
            assertThatThrownBy(() -> g.fileAt(granted.resolve("none").toString(), Grants.READ_ONLY))
                    .isInstanceOfSatisfying(GrantException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT.number()));
        }
    }

    @Test
    void shouldJudgeTheRealPathSoThatNeitherDotsNorLinksLeadOut() throws Exception {
        Path link = Files.createSymbolicLink(granted.resolve("link"), outside.resolve("secret"));
        try (ModuleGrants g = grants(Map.of(), recording(), GrantRule.of("disk", null, granted.toString(), "ro"))) {
            assertThatThrownBy(() -> g.fileAt(link.toString(), Grants.READ_ONLY))
                    .isInstanceOfSatisfying(GrantException.class, e -> assertThat(e.getMessage()).contains("(" + outside.resolve("secret") + ")"));
            assertThatThrownBy(() -> g.fileAt(granted + "/../outside/secret", Grants.READ_ONLY))
                    .isInstanceOfSatisfying(GrantException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EACCES.number()));
            assertThat(g.held()).isEmpty();
        }
    }

    @Test
    void shouldRefuseWhatResourceGrantRefusesOrFailsToJudge() {
        GrantAccess refusing = (module, domain, kind, resource) -> {
            throw new IllegalStateException("the security stack has no live module to ask");
        };
        try (ModuleGrants g = grants(Map.of("disk", granted.resolve("a.img").toString()), refusing)) {
            assertThatThrownBy(() -> g.file("disk", 0)).isInstanceOfSatisfying(GrantException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EACCES.number());
                assertThat(e.getMessage()).contains("refused by resource_grant: the security stack has no live module to ask");
            });
            assertThat(g.held()).isEmpty();
        }
    }

    @Test
    void shouldRefuseRulesThatNameNeitherOrBothOrABadAccess() {
        assertThatThrownBy(() -> GrantRule.of(null, null, "/x", "ro")).hasMessageContaining("exactly one of module or domain");
        assertThatThrownBy(() -> GrantRule.of("a", "isolated:b", "/x", "ro")).hasMessageContaining("exactly one of module or domain");
        assertThatThrownBy(() -> GrantRule.of("a", null, "x", "ro")).hasMessageContaining("is not absolute");
        assertThatThrownBy(() -> GrantRule.of("a", null, "/x", "write")).hasMessageContaining("access \"write\" is not ro or rw");
        assertThatThrownBy(() -> GrantRule.of(null, "isolated", "/x", null)).hasMessageContaining("is not colocated or isolated:NAME");
        assertThat(GrantRule.of("a", null, "/x/../y", null).path()).isEqualTo(Path.of("/y"));
    }
}
