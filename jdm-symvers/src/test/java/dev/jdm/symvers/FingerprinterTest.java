package dev.jdm.symvers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprinterTest {
    private static final AbiModel ABI = AbiModel.fromClassPath();

    @Test
    void shouldGiveEveryAbiTypeARoleAndEverySymbolAFingerprint() {
        Fingerprinter fp = new Fingerprinter(ABI.world());
        assertThat(ABI.generation()).matches("JDM_\\d+\\.\\d+");
        assertThat(ABI.symbols()).hasSizeGreaterThan(30);
        Map<Long, Symbol> seen = new HashMap<>();
        for (Symbol s : ABI.symbols()) {
            Symbol clash = seen.put(fp.fingerprint(s), s);
            assertThat(clash).as("fingerprint clash of %s and %s", s, clash).isNull();
        }
    }

    @Test
    void shouldExpandRecordsAndConstantsReachedByAMethod() {
        Definition d = new Fingerprinter(ABI.world()).define(Symbol.parse("dev.jdm.abi.mem.Kmem#stats()Ldev/jdm/abi/mem/MemStats;"));
        assertThat(d.lines()).contains(
                "method dev.jdm.abi.mem.Kmem#stats()Ldev/jdm/abi/mem/MemStats; static=false",
                "owner dev.jdm.abi.mem.Kmem interface",
                "  const GFP_ATOMIC:I=2",
                "type dev.jdm.abi.mem.MemStats record provided final",
                "  component kmallocObjects J");
    }

    @Test
    void shouldListAbstractMethodsOfImplementedTypesOnly() {
        Fingerprinter fp = new Fingerprinter(ABI.world());
        assertThat(fp.define(Symbol.type("dev.jdm.abi.LoadableModule")).lines()).contains("  abstract close()V");
        assertThat(fp.define(Symbol.type("dev.jdm.abi.ModuleContext")).text()).doesNotContain("abstract");
    }

    @Test
    void shouldRefuseUnknownSymbols() {
        Fingerprinter fp = new Fingerprinter(ABI.world());
        assertThatThrownBy(() -> fp.define(Symbol.parse("dev.jdm.abi.mem.Kmem#kmalloc(J)V")))
                .isInstanceOf(UnknownSymbolException.class).hasMessageContaining("Unknown symbol dev.jdm.abi.mem.Kmem#kmalloc(J)V");
        assertThatThrownBy(() -> fp.define(Symbol.type("dev.jdm.abi.Nope"))).isInstanceOf(UnknownSymbolException.class);
    }

    /** The precision promise: only the changes that break a user change its fingerprints. */
    @Test
    void shouldChangeOnlyTheFingerprintsThatAChangeBreaks(@TempDir Path tmp) throws Exception {
        String base = """
                package dev.jdm.abi.t;
                @dev.jdm.abi.Provided public interface Svc {
                    int LIMIT = 10;
                    Rec get();
                    void put(Cb cb);
                    %s
                }
                """;
        String rec = "package dev.jdm.abi.t; @dev.jdm.abi.Provided public record Rec(long a, %s) {}";
        String cb = "package dev.jdm.abi.t; @dev.jdm.abi.Implemented public interface Cb { void call(); %s }";
        Fingerprinter v1 = world(tmp.resolve("v1"), base.formatted(""), rec.formatted("int b"), cb.formatted(""));
        Fingerprinter added = world(tmp.resolve("v2"), base.formatted("void extra();"), rec.formatted("int b"), cb.formatted(""));
        Fingerprinter recChanged = world(tmp.resolve("v3"), base.formatted(""), rec.formatted("long b"), cb.formatted(""));
        Fingerprinter cbChanged = world(tmp.resolve("v4"), base.formatted(""), rec.formatted("int b"), cb.formatted("void more();"));
        Fingerprinter constChanged = world(tmp.resolve("v5"), base.formatted("").replace("= 10", "= 11"), rec.formatted("int b"), cb.formatted(""));

        Symbol get = Symbol.parse("dev.jdm.abi.t.Svc#get()Ldev/jdm/abi/t/Rec;");
        Symbol put = Symbol.parse("dev.jdm.abi.t.Svc#put(Ldev/jdm/abi/t/Cb;)V");
        Symbol svc = Symbol.type("dev.jdm.abi.t.Svc");
        // adding a member to a provided type breaks nobody
        assertThat(added.fingerprint(get)).isEqualTo(v1.fingerprint(get));
        assertThat(added.fingerprint(put)).isEqualTo(v1.fingerprint(put));
        assertThat(added.fingerprint(svc)).isEqualTo(v1.fingerprint(svc));
        // a changed record breaks who receives it, not who passes callbacks
        assertThat(recChanged.fingerprint(get)).isNotEqualTo(v1.fingerprint(get));
        assertThat(recChanged.fingerprint(put)).isEqualTo(v1.fingerprint(put));
        assertThat(recChanged.define(get).explainAgainst(v1.define(get))).contains("component b J").contains("component b I");
        // a new abstract method in an implemented type breaks who passes implementations
        assertThat(cbChanged.fingerprint(put)).isNotEqualTo(v1.fingerprint(put));
        assertThat(cbChanged.fingerprint(get)).isEqualTo(v1.fingerprint(get));
        // an inlined constant's value is part of its owner's users' fingerprints
        assertThat(constChanged.fingerprint(get)).isNotEqualTo(v1.fingerprint(get));
    }

    private static Fingerprinter world(Path dir, String svc, String rec, String cb) throws Exception {
        new TestCompiler().withAbi().source("dev.jdm.abi.t.Svc", svc).source("dev.jdm.abi.t.Rec", rec)
                .source("dev.jdm.abi.t.Cb", cb).directory(dir);
        List<TypeInfo> types = new java.util.ArrayList<>(ABI.world().types());
        for (var e : JarContents.read(dir).classes().entrySet()) {
            types.add(TypeReader.read(e.getValue(), e.getKey()));
        }
        return new Fingerprinter(TypeWorld.of(types));
    }
}
