package dev.jdm.host.block.part;

import java.util.List;

/**
 * What a scan found: the table type, the disk's identifier, the partitions trusted, and every
 * problem seen (entries ignored, headers rejected).
 *
 * @param type {@code gpt}, {@code dos} or {@code none}
 * @param diskId GPT disk GUID or the MBR disk signature as 8 hex digits; empty if none
 */
public record PartitionTable(String type, String diskId, List<Partition> partitions, List<String> problems) {
    public PartitionTable {
        partitions = List.copyOf(partitions);
        problems = List.copyOf(problems);
    }

    static PartitionTable none(List<String> problems) {
        return new PartitionTable("none", "", List.of(), problems);
    }
}
