package dev.jdm.kmod.weak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.kmod.cli.KmodMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code jdm kmod weak-updates --add-modules} run as a process on real Debian kernels, judged
 * by {@code jdm kmod check} and by kmod's own depmod and modprobe.
 */
class WeakUpdatesKmodTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code jdm kmod check --json MODULES --against SYMVERS}, in process: module name → its first problem or null. */
    private static Map<String, String> check(List<Path> modules, Path symvers) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--json"));
        modules.forEach(m -> args.add(m.toString()));
        args.addAll(List.of("--against", symvers.toString()));
        StringWriter out = new StringWriter();
        KmodMain.commandLine(new PrintWriter(out), new PrintWriter(new StringWriter())).execute(args.toArray(String[]::new));
        Map<String, String> verdicts = new java.util.TreeMap<>();
        for (JsonNode v : JSON.readTree(out.toString())) {
            JsonNode problems = v.get("problems");
            verdicts.put(v.get("name").asText(), problems.isEmpty() ? null : problems.get(0).get("detail").asText());
        }
        return verdicts;
    }

    @Test
    void shouldLinkExactlyWhereCheckSaysTheModulesLoadAndAgreeWithKmod() throws Exception {
        WeakRoot.requireKmod();
        try (WeakRoot root = WeakRoot.copy()) {
            List<String> args = new ArrayList<>(List.of("weak-updates", "-b", root.dir.toString(), "--json", "--add-modules"));
            root.vendorModules().forEach(m -> args.add(m.toString()));
            Tools.Result r = Tools.jdmKmod(args.toArray(String[]::new));
            assertThat(r.rc()).as(r.err()).isZero();
            JsonNode report = JSON.readTree(r.out());

            Set<String> linkedSomewhere = new HashSet<>();
            Set<String> refusedSomewhere = new HashSet<>();
            for (String k : root.targets()) {
                Path symvers = new InstalledKernel(new ModuleRoot(root.dir), k).requireSymvers();
                Map<String, String> verdicts = check(root.vendorModules(), symvers);
                Set<String> loads = new TreeSet<>();
                verdicts.forEach((name, problem) -> (problem == null ? loads : refusedSomewhere).add(name));
                assertThat(root.links(k).keySet()).as("links in " + k + "/weak-updates").isEqualTo(loads);
                linkedSomewhere.addAll(loads);
                // --json names the same first problem, in check's words
                for (JsonNode kr : report.get("kernels")) {
                    if (kr.get("kernel").asText().equals(k)) {
                        for (JsonNode m : kr.get("modules")) {
                            String problem = verdicts.get(m.get("name").asText());
                            if (problem != null) {
                                assertThat(m.get("reason").asText()).isEqualTo("does_not_load");
                                assertThat(m.get("detail").asText()).isEqualTo(problem);
                            } else {
                                assertThat(m.get("outcome").asText()).isEqualTo("linked");
                            }
                        }
                    }
                }
            }
            // the synthetic kABI update makes the run mixed: if not, the test proves nothing
            assertThat(linkedSomewhere).isNotEmpty();
            assertThat(refusedSomewhere).isNotEmpty();
            assertThat(root.links(root.kabi)).containsKeys("fat", "vfat").doesNotContainKey("msdos");

            for (String k : root.targets()) {
                Map<String, String> ours = root.indexes(k);
                Tools.Result d = Tools.run("depmod", "-b", root.dir.toString(), k);
                assertThat(d.rc()).as(d.err()).isZero();
                Map<String, String> theirs = root.indexes(k);
                assertThat(ours.get("modules.dep")).as("modules.dep of " + k).isEqualTo(theirs.get("modules.dep"));
                assertThat(ours).as("every index of " + k).isEqualTo(theirs);
                if (root.links(k).containsKey("vfat")) {
                    Tools.Result m = Tools.run("modprobe", "-n", "-v", "-d", root.dir.toString(), "-S", k, "vfat");
                    assertThat(m.rc()).as(m.err()).isZero();
                    String wu = root.moduleDir(k).resolve("weak-updates/fs/fat/").toString();
                    assertThat(m.out()).contains("insmod " + wu + "/fat.ko").contains("insmod " + wu + "/vfat.ko");
                }
            }
        }
    }

    @Test
    void shouldLeaveEverythingAsItWasOnADryRun() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            var before = root.snapshot();
            List<String> args = new ArrayList<>(List.of("weak-updates", "-b", root.dir.toString(), "--dry-run", "--add-modules"));
            root.vendorModules().forEach(m -> args.add(m.toString()));
            Tools.Result r = Tools.jdmKmod(args.toArray(String[]::new));
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.out()).contains("would link " + root.moduleDir(root.kabi).resolve("weak-updates/fs/fat/fat.ko"));
            assertThat(root.snapshot()).isEqualTo(before);
        }
    }
}
