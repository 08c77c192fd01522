package dev.cafestack.ci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;

/**
 * The Jenkinsfiles as the Groovy compiler reads them: parsed into an AST (a syntax error fails the parse with file,
 * line and column), and the shell commands of their {@code sh} steps, stage by stage, in file order.
 */
final class Jenkinsfiles {

    static final Path DIR = Path.of("jenkins");

    /** One {@code sh} step: the stage it is in, its script, and the line it starts on. */
    record Step(String stage, String script, int line) {
    }

    private Jenkinsfiles() {
    }

    /** Parses {@code source} as Groovy (to the AST, nothing runs); throws with file and line on a syntax error. */
    static ModuleNode parse(String name, String source) {
        CompilationUnit unit = new CompilationUnit();
        SourceUnit su = unit.addSource(name, source);
        unit.compile(Phases.CONVERSION);
        return su.getAST();
    }

    static String read(String file) {
        try {
            return Files.readString(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code sh} step with a literal script ({@code sh 'x'} or {@code sh(script: 'x', ...)}), in order. */
    static List<Step> shSteps(String file) {
        ModuleNode module = parse(file, read(file));
        List<Step> steps = new ArrayList<>();
        BlockStatement block = module.getStatementBlock();
        block.visit(new CodeVisitorSupport() {
            private final List<String> stages = new ArrayList<>();

            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                String method = call.getMethodAsString();
                boolean stage = "stage".equals(method);
                if (stage) {
                    stages.add(firstString(call.getArguments()));
                }
                if ("sh".equals(method)) {
                    String script = shScript(call.getArguments());
                    if (script != null) {
                        steps.add(new Step(stages.isEmpty() ? "" : stages.get(stages.size() - 1), script,
                                call.getLineNumber()));
                    }
                }
                super.visitMethodCallExpression(call);
                if (stage) {
                    stages.remove(stages.size() - 1);
                }
            }
        });
        return steps;
    }

    /** The names of every method called anywhere in the file (steps, directives, options). */
    static List<String> calls(String file) {
        List<String> calls = new ArrayList<>();
        parse(file, read(file)).getStatementBlock().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                calls.add(call.getMethodAsString());
                super.visitMethodCallExpression(call);
            }
        });
        return calls;
    }

    /** The stage names in file order. */
    static List<String> stages(String file) {
        List<String> stages = new ArrayList<>();
        parse(file, read(file)).getStatementBlock().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if ("stage".equals(call.getMethodAsString())) {
                    stages.add(firstString(call.getArguments()));
                }
                super.visitMethodCallExpression(call);
            }
        });
        return stages;
    }

    private static String shScript(Expression arguments) {
        if (!(arguments instanceof TupleExpression tuple) || tuple.getExpressions().isEmpty()) {
            return null;
        }
        Expression first = tuple.getExpression(0);
        if (first instanceof ConstantExpression constant && constant.getValue() instanceof String s) {
            return s;
        }
        if (first instanceof MapExpression map) {
            return map.getMapEntryExpressions().stream()
                    .filter(e -> "script".equals(e.getKeyExpression().getText()))
                    .map(e -> e.getValueExpression() instanceof ConstantExpression c && c.getValue() instanceof String s ? s : null)
                    .findFirst().orElse(null);
        }
        return null;
    }

    private static String firstString(Expression arguments) {
        if (arguments instanceof ArgumentListExpression list && !list.getExpressions().isEmpty()) {
            return list.getExpression(0).getText();
        }
        if (arguments instanceof TupleExpression tuple && !tuple.getExpressions().isEmpty()) {
            return tuple.getExpression(0).getText();
        }
        return "";
    }

    /** A command line split into words the way the shell would for these plain commands (no quoting is used). */
    static List<String> words(String script) {
        return List.of(script.trim().replace("\\\n", " ").split("\\s+"));
    }

    static int lineOf(ASTNode node) {
        return node.getLineNumber();
    }
}
