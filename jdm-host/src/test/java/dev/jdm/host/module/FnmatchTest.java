package dev.jdm.host.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Checks {@link Fnmatch} against the C library's fnmatch(3), which kmod itself calls. */
class FnmatchTest {
    private static final MethodHandle FNMATCH = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("fnmatch").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private static boolean libc(String pattern, String text) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return (int) FNMATCH.invokeExact(a.allocateFrom(pattern), a.allocateFrom(text), 0) == 0;
        }
    }

    @Test
    void shouldMatchKmodStyleAliases() {
        assertThat(Fnmatch.matches("pci:v00008086d*sv*sd*bc*sc*i*", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00")).isTrue();
        assertThat(Fnmatch.matches("usb:v1D6Bp0002d*", "usb:v1D6Bp0003d0515")).isFalse();
        assertThat(Fnmatch.matches("blk-[a-c]?", "blk-b7")).isTrue();
        assertThat(Fnmatch.matches("blk-[!a-c]?", "blk-b7")).isFalse();
    }

    @Test
    void shouldAgreeWithTheCLibraryOnRandomPatterns() throws Throwable {
        SplittableRandom rnd = new SplittableRandom(20261122);
        String[] atoms = {"a", "b", "c", "-", "*", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "[]a]", "[!]]", "\\*", "\\a"};
        int agreed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder p = new StringBuilder();
            for (int n = rnd.nextInt(1, 7); n > 0; n--) {
                p.append(atoms[rnd.nextInt(atoms.length)]);
            }
            StringBuilder t = new StringBuilder();
            for (int n = rnd.nextInt(0, 8); n > 0; n--) {
                t.append("abc-*]\\".charAt(rnd.nextInt(7)));
            }
            String pattern = p.toString();
            String text = t.toString();
            assertThat(Fnmatch.matches(pattern, text)).as("fnmatch(\"%s\", \"%s\")", pattern, text).isEqualTo(libc(pattern, text));
            agreed++;
        }
        assertThat(agreed).isEqualTo(20_000);
    }
}
