package dev.jdm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.gate.proto.DevList;
import dev.jdm.gate.proto.DevRecord;
import dev.jdm.gate.proto.DevValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON to typed-call values and back, without the schema: objects are records, arrays lists,
 * integers int64 and other numbers doubles; bytes travel as base64 strings. The host checks the
 * values against the call's records, so a wrong field is named there, by its path.
 */
final class DevJson {
    private DevJson() {}

    /** {@code text} as a value; a syntax error is a usage error naming the position. */
    static DevValue parse(String text) {
        try {
            return value(new ObjectMapper().readTree(text));
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.USAGE, "--json: not JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        }
    }

    private static DevValue value(JsonNode n) {
        DevValue.Builder b = DevValue.newBuilder();
        if (n.isObject()) {
            DevRecord.Builder r = DevRecord.newBuilder();
            n.properties().forEach(e -> r.putFields(e.getKey(), value(e.getValue())));
            return b.setRecordValue(r).build();
        }
        if (n.isArray()) {
            DevList.Builder l = DevList.newBuilder();
            n.forEach(x -> l.addItems(value(x)));
            return b.setListValue(l).build();
        }
        if (n.isBoolean()) {
            return b.setBoolValue(n.booleanValue()).build();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return b.setIntValue(n.longValue()).build();
        }
        if (n.isNumber()) {
            return b.setDoubleValue(n.doubleValue()).build();
        }
        if (n.isTextual()) {
            return b.setStringValue(n.textValue()).build();
        }
        throw new CliException(CliException.USAGE, "--json: " + n.getNodeType().name().toLowerCase() + " values cannot be carried");
    }

    /** A value as plain Java for Jackson: records as sorted maps, bytes as base64. */
    static Object plain(DevValue v) {
        return switch (v.getKindCase()) {
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case STRING_VALUE -> v.getStringValue();
            case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case RECORD_VALUE -> {
                Map<String, Object> m = new TreeMap<>();
                v.getRecordValue().getFieldsMap().forEach((k, x) -> m.put(k, plain(x)));
                yield new LinkedHashMap<>(m);
            }
            case LIST_VALUE -> {
                List<Object> l = new ArrayList<>();
                v.getListValue().getItemsList().forEach(x -> l.add(plain(x)));
                yield l;
            }
            case KIND_NOT_SET -> null;
        };
    }
}
