package dev.jdm.maven;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.Modpost;
import dev.jdm.symvers.SourceNames;
import dev.jdm.symvers.SymversException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;

/**
 * The {@code modpost} goal: runs {@link Modpost} over the compiled classes against the
 * {@code jdm-abi} on the module's class path and writes {@code META-INF/jdm/modinfo},
 * {@code versions} and {@code exports} so the JAR plugin packs them.
 */
public final class ModpostMojo extends AbstractMojo {
    private MavenProject project;
    private File classesDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if ("pom".equals(project.getPackaging())) {
            return; // aggregators have no classes
        }
        Path classes = classesDirectory.toPath();
        if (!Files.isDirectory(classes)) {
            throw new MojoFailureException("modpost: no compiled classes in " + classes);
        }
        Path abiPath = null;
        List<JarContents> classpath = new ArrayList<>();
        for (Artifact a : project.getArtifacts()) {
            if (a.getFile() == null) {
                continue;
            }
            if (a.getGroupId().equals("dev.jdm") && a.getArtifactId().equals("jdm-abi")) {
                abiPath = a.getFile().toPath();
            } else if (isModule(a.getFile().toPath())) {
                classpath.add(JarContents.read(a.getFile().toPath()));
            }
        }
        if (abiPath == null) {
            throw new MojoFailureException("modpost: " + project.getArtifactId()
                    + " does not depend on dev.jdm:jdm-abi; a driver module is built against the ABI");
        }
        try {
            AbiModel abi = AbiModel.load(abiPath);
            // the sources say which ABI constants javac may have inlined (SourceNames)
            SourceNames sources = SourceNames.of(project.getCompileSourceRoots().stream().map(Path::of).toList());
            Modpost.Output out = Modpost.run(JarContents.read(classes), abi, classpath, java.util.Optional.of(sources));
            Path meta = classes.resolve("META-INF/jdm");
            Files.createDirectories(meta);
            Files.writeString(meta.resolve("modinfo"), out.modinfo().format(), StandardCharsets.UTF_8);
            Files.writeString(meta.resolve("versions"), out.versions().format(), StandardCharsets.UTF_8);
            Files.writeString(meta.resolve("exports"), out.exports().format(), StandardCharsets.UTF_8);
            getLog().info("modpost: " + out.modinfo().name() + ": " + out.versions().size() + " imports, "
                    + out.exports().size() + " exports, ABI " + abi.generation());
        } catch (SymversException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (IOException e) {
            throw new MojoExecutionException("modpost: cannot write META-INF/jdm: " + e.getMessage(), e);
        }
    }

    /** A JAR or directory that carries a modinfo: another module this one may link to. */
    private static boolean isModule(Path path) {
        if (Files.isDirectory(path)) {
            return Files.exists(path.resolve("META-INF/jdm/modinfo"));
        }
        try (var zip = new java.util.zip.ZipFile(path.toFile())) {
            return zip.getEntry("META-INF/jdm/modinfo") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
