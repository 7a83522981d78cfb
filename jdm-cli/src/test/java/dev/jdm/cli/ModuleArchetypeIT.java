package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.cli.HostProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a module author does first, without the network: {@code mvn archetype:generate} with
 * jdm-module-archetype, {@code mvn package} in the new project with no edits, and {@code jdm insmod}
 * of the JAR into a real host. Maven runs against a private local repository that holds this
 * checkout's jdm artifacts, with every remote repository mirrored to the reactor's own local
 * repository: a plugin or dependency the reactor did not fetch fails the test instead of a download.
 */
class ModuleArchetypeIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("jdm.version", "0.1.0-SNAPSHOT");

    @Test
    void shouldGenerateAModuleThatBuildsAndLoadsWithNoEdits() throws Exception {
        Path work = Files.createTempDirectory("jdm-archetype-it");
        try {
            generateBuildAndLoad(work);
        } finally {
            // the private repository holds copies of every plugin the build used: tens of MiB per run
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void generateBuildAndLoad(Path work) throws Exception {
        Path repo = work.resolve("repo");
        install(repo, "jdm-parent", ROOT.resolve("pom.xml"), null);
        for (String module : List.of("jdm-abi", "jdm-symvers", "jdm-maven-plugin", "jdm-module-archetype")) {
            install(repo, module, ROOT.resolve(module).resolve("pom.xml"), ROOT.resolve(module).resolve("target").resolve(module + "-" + VERSION + ".jar"));
        }
        Path settings = work.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors><mirror><id>reactor</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
                </settings>
                """.formatted(repo, Path.of(System.getProperty("jdm.maven.repo")).toUri()));

        Result generate = mvn(work, settings, "org.apache.maven.plugins:maven-archetype-plugin:" + System.getProperty("jdm.archetype.version") + ":generate",
                "-DarchetypeGroupId=dev.jdm", "-DarchetypeArtifactId=jdm-module-archetype", "-DarchetypeVersion=" + VERSION,
                "-DgroupId=org.example", "-DartifactId=mydisk", "-Dversion=1.0", "-Dpackage=org.example.mydisk");
        assertThat(generate.code()).as("archetype:generate%n%s", generate.out()).isZero();
        Path project = work.resolve("mydisk");
        assertThat(Files.readString(project.resolve("pom.xml"))).contains("<release>25</release>").contains("<goal>modpost</goal>")
                .contains("<version>" + VERSION + "</version>");

        Result build = mvn(project, settings, "package");
        assertThat(build.code()).as("mvn package in the generated project%n%s", build.out()).isZero();
        Path jar = project.resolve("target/mydisk-1.0.jar");
        assertThat(jar).exists();

        try (HostProcess host = HostProcess.start("jdm-archetype-host", "--nbd-tcp", "off")) {
            Result insmod = host.jdm("insmod", jar.toString(), "size=8M");
            assertThat(insmod.code()).as("insmod: %s", insmod.err()).isZero();
            assertThat(insmod.out()).contains("mydisk: live");
            assertThat(host.jdm("lsmod").out()).containsPattern("(?m)^mydisk ");
            assertThat(host.jdm("blk", "ls").out()).containsPattern("(?m)^mydisk0 .*8 MiB");
            // built against this jdm-abi: the generation it serves, released or being developed
            assertThat(host.jdm("modinfo", "-F", "abi", "mydisk").out().strip()).isEqualTo(dev.jdm.symvers.AbiModel.fromClassPath().generation());
            Result rmmod = host.jdm("rmmod", "mydisk");
            assertThat(rmmod.code()).as("rmmod: %s", rmmod.err()).isZero();
        }
    }

    /** Lays out one jdm artifact as {@code mvn install} would in a local repository. */
    private static void install(Path repo, String artifactId, Path pom, Path jar) throws IOException {
        Path dir = repo.resolve("dev/jdm").resolve(artifactId).resolve(VERSION);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertThat(jar).as("the reactor built %s", artifactId).exists();
            Files.copy(jar, dir.resolve(artifactId + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Result mvn(Path dir, Path settings, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("jdm.mvn", "mvn"), "-B", "-ntp", "-s", settings.toString(),
                "-DinteractiveMode=false"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out, "");
    }
}
