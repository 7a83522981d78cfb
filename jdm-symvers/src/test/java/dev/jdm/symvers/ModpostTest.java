package dev.jdm.symvers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What modpost finds in a module's bytecode and what it refuses. */
class ModpostTest {
    private static final AbiModel ABI = AbiModel.fromClassPath();

    private static final String HEADER = """
            package m;
            import dev.jdm.abi.*;
            import dev.jdm.abi.DriverModule;
            import dev.jdm.abi.mem.*;
            import java.lang.foreign.MemorySegment;
            @DriverModule(name = "m", version = "1", license = "GPL", author = "jdm developers", description = "test")
            """;

    private static JarContents module(String body) {
        Map<String, byte[]> classes = new TestCompiler().withAbi().source("m.M", HEADER + body).compile();
        return new JarContents("m.jar", classes, Map.of());
    }

    private static Modpost.Output run(String body) {
        return Modpost.run(module(body), ABI, List.of());
    }

    private static final String ENTRY_BODY = """
            public final class M implements LoadableModule {
                public M(ModuleContext c) {}
                public void close() {}
            }
            """;

    @Test
    void shouldCompileWithTheWildcardImportThatMadeModuleAmbiguous() {
        // the reason JDM_1.1 renamed the annotation: javac cannot tell dev.jdm.abi.Module from java.lang.Module
        String wildcard = "package m;\nimport dev.jdm.abi.*;\n";
        assertThatThrownBy(() -> new TestCompiler().withAbi().source("m.M", wildcard
                + "@Module(name = \"m\", license = \"GPL\")\n" + ENTRY_BODY).compile()).hasMessageContaining("reference to Module is ambiguous");
        Map<String, byte[]> classes = new TestCompiler().withAbi().source("m.M", wildcard
                + "@DriverModule(name = \"m\", license = \"GPL\")\n" + ENTRY_BODY).compile();
        assertThat(Modpost.run(new JarContents("m.jar", classes, Map.of()), ABI, List.of()).modinfo().name()).isEqualTo("m");
    }

    @Test
    void shouldStillReadTheDeprecatedModuleAnnotationOfJdm10Sources() {
        String old = "package m;\nimport dev.jdm.abi.*;\n@dev.jdm.abi.Module(name = \"old\", version = \"2\", license = \"GPL\")\n";
        Map<String, byte[]> classes = new TestCompiler().withAbi().source("m.M", old + ENTRY_BODY).compile();
        ModInfo info = Modpost.run(new JarContents("m.jar", classes, Map.of()), ABI, List.of()).modinfo();
        assertThat(info.name()).isEqualTo("old");
        assertThat(info.first("version")).contains("2");

        String both = "package m;\nimport dev.jdm.abi.*;\n@dev.jdm.abi.Module(name = \"a\", license = \"GPL\")\n@DriverModule(name = \"b\", license = \"GPL\")\n";
        Map<String, byte[]> twice = new TestCompiler().withAbi().source("m.M", both + ENTRY_BODY).compile();
        assertThatThrownBy(() -> Modpost.run(new JarContents("m.jar", twice, Map.of()), ABI, List.of()))
                .hasMessageContaining("carries both @DriverModule and the deprecated @Module");
    }

    @Test
    void shouldRefuseAModuleThatImplementsAProvidedType() {
        assertThatThrownBy(() -> run("""
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                    static final class Fake implements dev.jdm.abi.Params {
                        public String string(String name) { return ""; }
                        public long longValue(String name) { return 0; }
                        public boolean bool(String name) { return false; }
                    }
                }
                """)).isInstanceOf(ModpostException.class)
                .hasMessageContaining("m.M$Fake implements dev.jdm.abi.Params, but it is a provided type");
    }

    @Test
    void shouldImportEveryHookASecurityModuleOverrides() {
        Modpost.Output out = run("""
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                    static class Base implements dev.jdm.abi.sec.SecurityModule {
                        @Override public dev.jdm.abi.sec.Vote devOpen(dev.jdm.abi.sec.TaskCred t, Object d, dev.jdm.abi.sec.DevOpen o) {
                            return dev.jdm.abi.sec.Vote.NO_OPINION;
                        }
                    }
                    static final class Sub extends Base {
                        @Override public dev.jdm.abi.sec.Vote blkIo(dev.jdm.abi.sec.TaskCred t, Object d, dev.jdm.abi.sec.BlkIo io) {
                            return dev.jdm.abi.sec.Vote.NO_OPINION;
                        }
                        public void helper() {}
                    }
                }
                """);
        List<String> imported = out.versions().entries().stream().map(e -> e.symbol().toString()).toList();
        assertThat(imported).contains(
                "dev.jdm.abi.sec.SecurityModule#devOpen(Ldev/jdm/abi/sec/TaskCred;Ljava/lang/Object;Ldev/jdm/abi/sec/DevOpen;)Ldev/jdm/abi/sec/Vote;",
                "dev.jdm.abi.sec.SecurityModule#blkIo(Ldev/jdm/abi/sec/TaskCred;Ljava/lang/Object;Ldev/jdm/abi/sec/BlkIo;)Ldev/jdm/abi/sec/Vote;");
        assertThat(imported).noneMatch(s -> s.contains("#helper") || s.contains("#moduleLoad"));
    }

    @Test
    void shouldListTheAbiConstantsTheSourcesNameAsImports() {
        String body = """
                public final class M implements LoadableModule {
                    public M(ModuleContext c) { c.kmem().kfree(c.kmem().kmalloc(8, Kmem.GFP_ZERO | Kmem.GFP_DMA)); }
                    public void close() {}
                }
                """;
        JarContents jar = module(body);
        // javac folded GFP_ZERO | GFP_DMA into 5: the bytecode names neither; the sources do
        Modpost.Output blind = Modpost.run(jar, ABI, List.of());
        assertThat(blind.versions().constantsListed()).isFalse();
        assertThat(blind.versions().entries()).noneMatch(e -> e.symbol().toString().contains("GFP_"));
        Modpost.Output seeing = Modpost.run(jar, ABI, List.of(), java.util.Optional.of(SourceNames.scan(List.of(HEADER + body))));
        assertThat(seeing.versions().constantsListed()).isTrue();
        assertThat(seeing.versions().entries()).extracting(e -> e.symbol().toString())
                .contains("dev.jdm.abi.mem.Kmem#GFP_ZERO:I", "dev.jdm.abi.mem.Kmem#GFP_DMA:I").doesNotContain("dev.jdm.abi.mem.Kmem#GFP_ATOMIC:I");
        SymbolTable again = SymbolTable.parse(seeing.versions().format().getBytes(java.nio.charset.StandardCharsets.UTF_8), "versions");
        assertThat(again.constantsListed()).isTrue();
        assertThat(again.fingerprintFormat()).isEqualTo(Fingerprinter.FORMAT);
    }

    @Test
    void shouldImportSymbolsUsedOnlyInsideLambdasAndMethodReferences() {
        Modpost.Output out = run("""
                public final class M implements LoadableModule {
                    final java.util.function.Supplier<MemStats> stats;
                    final java.util.function.LongFunction<MemorySegment> alloc;
                    public M(ModuleContext c) {
                        stats = c.kmem()::stats;
                        alloc = n -> c.kmem().vmalloc(n);
                    }
                    public void close() {}
                }
                """);
        List<String> imported = out.versions().entries().stream().map(e -> e.symbol().toString()).toList();
        assertThat(imported).contains("dev.jdm.abi.mem.Kmem#stats()Ldev/jdm/abi/mem/MemStats;",
                "dev.jdm.abi.mem.Kmem#vmalloc(J)Ljava/lang/foreign/MemorySegment;",
                "dev.jdm.abi.ModuleContext#kmem()Ldev/jdm/abi/mem/Kmem;", "dev.jdm.abi.LoadableModule");
        // every row's fingerprint is the host's
        Fingerprinter fp = new Fingerprinter(ABI.world());
        out.versions().entries().forEach(e -> assertThat(e.fingerprint()).as(e.symbol().toString()).isEqualTo(fp.fingerprint(e.symbol())));
    }

    @Test
    void shouldWriteModinfoLikeALinuxModule() {
        Modpost.Output out = run("""
                @Alias("blk:m*") @Alias("chr:m")
                @SoftDep(pre = {"a", "b"}, post = "c")
                @Param(name = "size", type = Param.Type.LONG, description = "bytes", defaultValue = "4096")
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """);
        ModInfo info = out.modinfo();
        assertThat(info.all("alias")).containsExactly("blk:m*", "chr:m");
        assertThat(info.all("softdep")).containsExactly("pre: a b post: c");
        assertThat(info.all("parm")).containsExactly("size:bytes");
        assertThat(info.all("parmtype")).containsExactly("size:long");
        assertThat(info.first("abi")).contains(ABI.generation());
        assertThat(info.first("entry")).contains("m.M");
        // what modpost writes parses back to the same entries
        assertThat(ModInfo.parse(info.format().getBytes(java.nio.charset.StandardCharsets.UTF_8), "m.jar").entries()).isEqualTo(info.entries());
        assertThat(SymbolTable.parse(out.versions().format().getBytes(java.nio.charset.StandardCharsets.UTF_8), "m.jar").size())
                .isEqualTo(out.versions().size());
    }

    @Test
    void shouldRefuseEveryForbiddenJdkApiNamingTheClassAndReference() {
        String[][] cases = {
                {"System.exit(1);", "java/lang/System#exit"},
                {"Runtime.getRuntime();", "java/lang/Runtime"},
                {"try { new ProcessBuilder(\"x\").start(); } catch (Exception e) {}", "java/lang/ProcessBuilder"},
                {"try { java.nio.file.Files.readAllBytes(java.nio.file.Path.of(\"/etc/passwd\")); } catch (Exception e) {}", "java/nio/file/Files"},
                {"try { new java.net.Socket(\"localhost\", 1); } catch (Exception e) {}", "java/net/Socket"},
                {"try { Object.class.getDeclaredMethod(\"x\").setAccessible(true); } catch (Exception e) {}", "setAccessible"},
                {"java.lang.foreign.Linker.nativeLinker();", "java/lang/foreign/Linker"},
                {"try { new java.io.FileOutputStream(\"/tmp/x\").close(); } catch (Exception e) {}", "java/io/FileOutputStream"},
        };
        for (String[] c : cases) {
            String body = """
                    public final class M implements LoadableModule {
                        public M(ModuleContext ctx) {}
                        public void close() { java.lang.Runnable r = () -> { %s }; r.run(); }
                    }
                    """.formatted(c[0]);
            assertThatThrownBy(() -> run(body)).as(c[0]).isInstanceOf(ModpostException.class)
                    .satisfies(e -> assertThat(((ModpostException) e).problems()).anySatisfy(p -> {
                        assertThat(p.kind()).isEqualTo(LinkProblem.Kind.FORBIDDEN_JDK);
                        assertThat(p.site()).startsWith("m.M");
                        assertThat(p.reference().replace('.', '/')).contains(c[1].split("#")[0]);
                    }));
        }
    }

    @Test
    void shouldRefuseAnEntryClassWithoutTheInitConstructor() {
        assertThatThrownBy(() -> run("""
                public final class M implements LoadableModule {
                    public M() {}
                    public void close() {}
                }
                """)).isInstanceOf(ModpostException.class).hasMessageContaining("ModuleContext");
    }

    @Test
    void shouldWritePciIdTablesAsLinuxModaliasesWithWildcardsForAnyField() {
        Modpost.Output out = run("""
                @dev.jdm.abi.hw.PciId(vendor = 0x1af4, device = 0x1042)
                @dev.jdm.abi.hw.PciId(vendor = 0x8086, baseClass = 0x01, subClass = 0x06, progIf = 0x01)
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """);
        assertThat(out.modinfo().all("alias")).containsExactly(
                "pci:v00001AF4d00001042sv*sd*bc*sc*i*",
                "pci:v00008086d*sv*sd*bc01sc06i01*");
    }

    @Test
    void shouldWriteUsbIdTablesAsFile2aliasWritesThem() {
        Modpost.Output out = run("""
                @dev.jdm.abi.hw.UsbId(interfaceClass = 2, interfaceSubClass = 2, interfaceProtocol = 1)
                @dev.jdm.abi.hw.UsbId(vendor = 0x0525, product = 0xa4a7)
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """);
        assertThat(out.modinfo().all("alias")).containsExactly(
                "usb:v*p*d*dc*dsc*dp*ic02isc02ip01in*",
                "usb:v0525pA4A7d*dc*dsc*dp*ic*isc*ip*in*");
    }

    @Test
    void shouldWritePlatformIdsAsPlatformAliasesAndRefuseABadName() {
        Modpost.Output out = run("""
                @dev.jdm.abi.hw.PlatformId("serial8250")
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """);
        assertThat(out.modinfo().all("alias")).containsExactly("platform:serial8250");
        assertThatThrownBy(() -> run("""
                @dev.jdm.abi.hw.PlatformId("Serial 8250")
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """)).hasMessageContaining("@PlatformId \"Serial 8250\" is not 1-32 of [a-z0-9_-]");
    }

    @Test
    void shouldRefuseAPciIdFieldOutsideItsWidth() {
        assertThatThrownBy(() -> run("""
                @dev.jdm.abi.hw.PciId(vendor = 0x1af4, baseClass = 0x100)
                public final class M implements LoadableModule {
                    public M(ModuleContext c) {}
                    public void close() {}
                }
                """)).hasMessageContaining("baseClass = 256 is outside 0..ff");
    }
}
