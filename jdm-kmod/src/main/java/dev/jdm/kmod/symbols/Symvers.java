package dev.jdm.kmod.symbols;

import dev.jdm.kmod.KmodException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A kernel's export table as Module.symvers describes it (plain or gzip-compressed, as
 * distributions ship symvers-KVER.gz). Modules added with {@link #add} count as exporters too.
 */
public final class Symvers {
    private final Map<String, SymversEntry> bySymbol = new LinkedHashMap<>();
    private final String source;

    public Symvers(String source) {
        this.source = source;
    }

    public static Symvers read(Path file) throws KmodException {
        Symvers s = new Symvers(file.toString());
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw;
            byte[] head = raw.readNBytes(2);
            in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), raw);
            if (head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                in = new GZIPInputStream(in);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                s.add(parseLine(file, lineNo, line));
            }
        } catch (NoSuchFileException e) {
            throw KmodException.in(file, "no such file");
        } catch (IOException e) {
            throw KmodException.in(file, "cannot read Module.symvers: " + e.getMessage(), e);
        }
        return s;
    }

    static SymversEntry parseLine(Path file, int lineNo, String line) throws KmodException {
        String[] f = line.split("\t", -1);
        if (f.length < 3 || !f[0].startsWith("0x") || f[1].isEmpty()) {
            throw KmodException.in(file, "line " + lineNo + ": not a Module.symvers line "
                    + "(expected \"0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL]<TAB>namespace\"): " + abbreviate(line));
        }
        long crc;
        try {
            crc = Long.parseUnsignedLong(f[0].substring(2), 16);
        } catch (NumberFormatException e) {
            throw KmodException.in(file, "line " + lineNo + ": bad CRC \"" + abbreviate(f[0]) + "\"");
        }
        String type = f.length > 3 ? f[3] : "EXPORT_SYMBOL";
        if (!type.startsWith("EXPORT_SYMBOL")) {
            throw KmodException.in(file, "line " + lineNo + ": bad export type \"" + abbreviate(type) + "\"");
        }
        return new SymversEntry(f[1], crc, f[2], type.endsWith("_GPL"), f.length > 4 ? f[4] : "");
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Adds (or replaces) an export. */
    public void add(SymversEntry e) {
        bySymbol.put(e.symbol(), e);
    }

    public SymversEntry get(String symbol) {
        return bySymbol.get(symbol);
    }

    public Collection<SymversEntry> entries() {
        return bySymbol.values();
    }

    public String source() {
        return source;
    }
}
