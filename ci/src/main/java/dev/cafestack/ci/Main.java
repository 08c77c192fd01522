package dev.cafestack.ci;

import java.util.concurrent.Callable;

/** How a ci goal ends under exec:java: a non-zero exit code becomes a build failure with the goal's message. */
final class Main {

    private Main() {
    }

    static void exit(Cli cli, Callable<Integer> goal) {
        String refusal = cli.guardRefusal();
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        int code;
        try {
            code = goal.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (code != 0) {
            // exec:java turns the exception into a build failure; System.exit would end Maven itself.
            throw new IllegalStateException("failed (" + code + "): see the lines above");
        }
    }
}
