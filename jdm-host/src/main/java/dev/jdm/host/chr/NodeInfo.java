package dev.jdm.host.chr;

/**
 * A node as listings and security checks see it.
 *
 * @param openCount open files now
 * @param held whether an exclusive open holds it
 * @param hasCalls whether it publishes typed calls
 */
public record NodeInfo(String name, int major, int minor, int owner, int group, int mode, String module, int openCount, boolean held,
        boolean hasCalls) {
    /** The path file_permission is asked about. */
    public String path() {
        return "/dev/" + name;
    }
}
