package dev.jdm.sweep;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The JSON mappers of the state file and the report, and the canonical form a signature covers. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final ObjectMapper COMPACT = new ObjectMapper();

    /**
     * The canonical bytes of a JSON tree: object members sorted by name at every depth, no
     * white space, UTF-8. The report holds only strings, integers, booleans, arrays and objects, so
     * re-serialising a parsed report gives the same bytes whatever layout the file had.
     */
    static byte[] canonical(JsonNode node) {
        try {
            return COMPACT.writeValueAsBytes(sorted(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                names.add(it.next());
            }
            names.sort(null);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                out.set(name, sorted(n.get(name)));
            }
            return out;
        }
        if (n.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            n.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return n;
    }
}
