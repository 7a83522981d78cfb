package dev.jdm.symvers;

import java.util.List;

/** Modpost refused a module; carries every problem found, not only the first. */
public final class ModpostException extends SymversException {
    private static final long serialVersionUID = 1L;
    private final transient List<LinkProblem> problems;

    public ModpostException(String module, List<LinkProblem> problems) {
        super("modpost: " + module + ": " + problems.size() + " problem(s):\n  "
                + String.join("\n  ", problems.stream().map(LinkProblem::message).toList()));
        this.problems = List.copyOf(problems);
    }

    /** The problems, each naming a class and a reference. */
    public List<LinkProblem> problems() {
        return problems;
    }
}
