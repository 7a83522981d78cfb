package dev.jdm.kmod.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.modinfo.ModInfoEntry;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.symbols.SymbolVersion;
import dev.jdm.kmod.testing.ElfBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ElfFileTest {

    static Stream<Arguments> layouts() {
        return Stream.of(Arguments.of(true, ByteOrder.LITTLE_ENDIAN), Arguments.of(true, ByteOrder.BIG_ENDIAN),
                Arguments.of(false, ByteOrder.LITTLE_ENDIAN), Arguments.of(false, ByteOrder.BIG_ENDIAN));
    }

    private static ElfFile parse(byte[] bytes) throws KmodException {
        return ElfFile.parse("test.ko", ByteBuffer.wrap(bytes));
    }

    @ParameterizedTest(name = "64-bit={0} {1}")
    @MethodSource("layouts")
    void shouldReadSectionsAndStringsInEveryClassAndByteOrder(boolean is64, ByteOrder order) throws KmodException {
        ElfBuilder b = new ElfBuilder(is64, order);
        byte[] elf = b.strings(".modinfo", "license=GPL", "", "alias=foo-bar", "name=x")
                .section(ModVersions.VERSIONS, b.versions(0x12345678L, "module_layout", 0xcafef00dL, ".printk"))
                .build();
        ElfFile f = parse(elf);
        assertThat(f.is64()).isEqualTo(is64);
        assertThat(f.isBigEndian()).isEqualTo(order == ByteOrder.BIG_ENDIAN);
        assertThat(f.strings(f.find(".modinfo").orElseThrow()).stream().map(ModInfoEntry::parse).toList())
                .containsExactly(new ModInfoEntry("license", "GPL"), new ModInfoEntry("alias", "foo-bar"),
                        new ModInfoEntry("name", "x"));
        assertThat(ModVersions.read(f)).containsExactly(new SymbolVersion("module_layout", 0x12345678L),
                new SymbolVersion("printk", 0xcafef00dL));
        assertThat(f.find(".modinfo").orElseThrow().isAlloc()).isTrue();
    }

    @ParameterizedTest(name = "64-bit={0} {1}")
    @MethodSource("layouts")
    void shouldFollowShnXindexAndZeroShnum(boolean is64, ByteOrder order) throws KmodException {
        byte[] elf = new ElfBuilder(is64, order).strings(".modinfo", "license=MIT").extendedIndexes().build();
        ElfFile f = parse(elf);
        assertThat(f.sections()).hasSize(3);
        assertThat(f.find(".modinfo")).isPresent();
        assertThat(f.find(".shstrtab")).isPresent();
    }

    @Test
    void shouldPreferExtendedModversions() throws KmodException {
        ByteBuffer crcs = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x11111111).putInt(0x22222222);
        ElfBuilder b = new ElfBuilder(true, ByteOrder.LITTLE_ENDIAN);
        ElfFile f = parse(b.section(ModVersions.VERSIONS, b.versions(0x1L, "short"))
                .section(ModVersions.EXT_CRCS, crcs.array())
                .strings(ModVersions.EXT_NAMES, "module_layout", "_RNvNtCs1234_kernel_a_very_long_rust_symbol_name_that_does_not_fit_in_56_bytes")
                .build());
        assertThat(ModVersions.read(f)).extracting(SymbolVersion::crc).containsExactly(0x11111111L, 0x22222222L);
    }

    @Test
    void shouldHonourShfAllocAsForceModversionClearsIt() throws KmodException {
        ElfBuilder b = new ElfBuilder(true, ByteOrder.LITTLE_ENDIAN);
        ElfFile f = parse(b.section(ModVersions.VERSIONS, 1, 0, b.versions(1L, "x")).build());
        assertThat(f.find(ModVersions.VERSIONS).orElseThrow().isAlloc()).isFalse();
    }

    @Test
    void shouldRejectMalformedHeadersWithTheFileName() {
        byte[] good = new ElfBuilder(true, ByteOrder.LITTLE_ENDIAN).strings(".modinfo", "a=b").build();
        List<byte[]> bad = List.of(new byte[0], "not an elf at all".getBytes(), java.util.Arrays.copyOf(good, 40),
                java.util.Arrays.copyOf(good, good.length - 10), withByte(good, 4, 9), withByte(good, 5, 0),
                withByte(good, 58, 12), withByte(good, 62, 0x7f));
        for (byte[] b : bad) {
            assertThatThrownBy(() -> parse(b)).isInstanceOf(KmodException.class).hasMessageStartingWith("test.ko: ");
        }
    }

    @Test
    void shouldRejectAnUnterminatedVersionName() {
        ElfBuilder b = new ElfBuilder(false, ByteOrder.LITTLE_ENDIAN);
        byte[] entry = b.versions(1L, "x".repeat(60));
        assertThatThrownBy(() -> ModVersions.read(parse(b.section(ModVersions.VERSIONS, entry).build())))
                .isInstanceOf(KmodException.class).hasMessageContaining("unterminated string");
    }

    static byte[] withByte(byte[] b, int at, int v) {
        byte[] c = b.clone();
        c[at] = (byte) v;
        return c;
    }
}
