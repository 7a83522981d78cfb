package dev.jdm.isolation.process;

/**
 * The code a domain JVM runs once confined: a public class with a public no-argument constructor,
 * named to the launcher. Returning ends the domain with exit code 0, throwing with 1.
 */
public interface DomainEntry {
    void run(DomainContext context) throws Exception;
}
