package dev.cafestack.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.expr.ListExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import dev.cafestack.tests.goals.NestedMaven;

/**
 * Every {@code ./mvnw} command line of both Jenkinsfiles, with {@code $ENV} set to each choice of the ENV parameter,
 * is one Maven accepts: proven by Maven itself, not by reading the poms. For each distinct project selection
 * ({@code -P}, {@code -pl}, {@code -am}) a nested, offline {@code mvn help:effective-pom} runs with exactly those
 * options (an unknown module fails it; an unknown profile makes Maven warn, which fails the test); every
 * {@code prefix:goal[@execution]} is then looked up in that effective POM and in the plugin's own descriptor (its
 * {@code goalPrefix} and mojos, from the plugin jar Maven resolved), and every lifecycle phase is described by
 * {@code mvn help:describe -Dcmd=<phase>}.
 */
class JenkinsfileCommandsIT {

    /** A Maven command line of a Jenkinsfile, split into what selects projects and what runs. */
    record Command(String where, List<String> selection, List<String> goals, List<String> properties) {
    }

    private static final List<Command> COMMANDS = new ArrayList<>();
    private static final Set<String> ENVS = new LinkedHashSet<>();

    @BeforeAll
    static void extract() {
        for (String file : List.of("Jenkinsfile", "Jenkinsfile.config")) {
            ENVS.addAll(envChoices(file));
            for (Jenkinsfiles.Step step : Jenkinsfiles.shSteps(file)) {
                List<String> words = Jenkinsfiles.words(step.script());
                if (!words.get(0).equals("./mvnw")) {
                    continue;
                }
                List<String> selection = new ArrayList<>();
                List<String> goals = new ArrayList<>();
                List<String> properties = new ArrayList<>();
                for (int i = 1; i < words.size(); i++) {
                    String w = words.get(i);
                    if (w.equals("-P") || w.equals("-pl")) {
                        selection.add(w);
                        selection.add(words.get(++i));
                    } else if (w.startsWith("-D")) {
                        properties.add(w);
                    } else if (w.equals("-am") || w.equals("-N")) {
                        selection.add(w);
                    } else if (w.startsWith("-")) {
                        assertThat(w).as("%s:%d option", file, step.line()).isIn("-B", "-q");
                    } else {
                        goals.add(w);
                    }
                }
                COMMANDS.add(new Command(file + ":" + step.line() + " [" + step.stage() + "]", selection, goals, properties));
            }
        }
        assertThat(COMMANDS).hasSizeGreaterThanOrEqualTo(8);
        assertThat(ENVS).containsExactly("dev", "test", "prod");
    }

    @Test
    @DisplayName("every ENV choice is a profile of the root pom, as Maven lists them")
    void environmentsAreProfiles() {
        NestedMaven.Result result = NestedMaven.in(NestedMaven.root()).offline()
                .run("all-profiles", List.of("-N", "help:all-profiles"));
        assertThat(result.exitCode()).as(result.describe()).isZero();
        for (String env : ENVS) {
            assertThat(result.output()).as(result.describe()).contains("Profile Id: " + env + " ");
        }
    }

    @Test
    @DisplayName("every ./mvnw line selects projects Maven finds, with profiles that exist, and runs goals they bind")
    void commandsAreAccepted() throws Exception {
        // One effective-pom run per distinct selection, for each environment; goals checked against each.
        Map<List<String>, List<Command>> bySelection = new LinkedHashMap<>();
        for (String env : ENVS) {
            for (Command c : COMMANDS) {
                List<String> selection = c.selection().stream().map(w -> w.replace("$ENV", env)).toList();
                bySelection.computeIfAbsent(selection, s -> new ArrayList<>()).add(c);
            }
        }
        // The selections differ across environments only in -P: the module selections are run for the first
        // environment, and the other environments' -P with the smallest selection (profiles are the root pom's).
        Set<String> phases = new TreeSet<>();
        Map<String, Path> poms = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<List<String>, List<Command>> entry : bySelection.entrySet()) {
            List<String> selection = entry.getKey();
            boolean firstEnv = selection.contains(ENVS.iterator().next());
            String key = String.join(" ", selection).replaceAll("-P \\w+", "");
            if (!firstEnv && poms.containsKey("profiles-only " + selection.get(selection.indexOf("-P") + 1))) {
                continue;
            }
            if (!firstEnv) {
                // Other environments: the profile must exist (Maven 3 only warns about an unknown -P).
                String env = selection.get(selection.indexOf("-P") + 1);
                NestedMaven.Result r = NestedMaven.in(NestedMaven.root()).offline()
                        .run("profile-" + env, List.of("-N", "-P", env, "validate"));
                assertThat(r.exitCode()).as(r.describe()).isZero();
                assertThat(r.output()).as(r.describe()).doesNotContain("could not be activated");
                poms.put("profiles-only " + env, null);
                continue;
            }
            n++;
            Path out = Path.of("target", "nested-maven", "effective-pom-" + n + ".xml").toAbsolutePath();
            List<String> args = new ArrayList<>(selection);
            args.addAll(List.of("help:effective-pom", "-Doutput=" + out));
            NestedMaven.Result r = NestedMaven.in(NestedMaven.root()).offline().run("effective-pom-" + n, args);
            assertThat(r.exitCode()).as("%s\n%s", entry.getValue(), r.describe()).isZero();
            assertThat(r.output()).as(r.describe()).doesNotContain("could not be activated", "[ERROR]");
            poms.put(key, out);
            List<Element> projects = projects(out);
            assertThat(projects).as(key).isNotEmpty();
            for (Command command : entry.getValue()) {
                for (String goal : command.goals()) {
                    if (goal.contains(":")) {
                        assertGoalBound(command, goal, projects);
                    } else {
                        phases.add(goal);
                    }
                }
            }
        }
        for (String phase : phases) {
            NestedMaven.Result r = NestedMaven.in(NestedMaven.root()).offline()
                    .run("describe-" + phase, List.of("-N", "help:describe", "-Dcmd=" + phase));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.output()).as(r.describe()).contains("'" + phase + "' is a phase");
        }
        assertThat(phases).contains("install", "process-classes");
    }

    @Test
    @DisplayName("ci/bin/image-tag prints <version>-<yyyyMMddHHmm>, the tag every Maven run of the build gets")
    void imageTag() throws Exception {
        Process p = new ProcessBuilder(NestedMaven.root().resolve("ci/bin/image-tag").toString(), "-o",
                "-Dmaven.repo.local=" + NestedMaven.localRepository())
                .directory(NestedMaven.root().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).matches(java.util.regex.Pattern.quote(NestedMaven.required("cafe.version")) + "-20\\d{10}");
    }

    /** {@code prefix:goal[@id]}: every selected project has the plugin of that prefix, the goal, and the execution. */
    private static void assertGoalBound(Command command, String goal, List<Element> projects) throws Exception {
        String prefix = goal.substring(0, goal.indexOf(':'));
        String rest = goal.substring(goal.indexOf(':') + 1);
        String mojo = rest.contains("@") ? rest.substring(0, rest.indexOf('@')) : rest;
        String execution = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : null;
        for (Element project : projects) {
            String name = text(project, "artifactId");
            Element plugin = null;
            Set<String> mojos = Set.of();
            for (Element candidate : children(child(child(project, "build"), "plugins"), "plugin")) {
                Descriptor d = descriptor(candidate);
                if (d != null && d.prefix().equals(prefix)) {
                    plugin = candidate;
                    mojos = d.goals();
                }
            }
            assertThat(plugin).as("%s: %s in project %s: no build plugin has the prefix '%s'", command.where(), goal,
                    name, prefix).isNotNull();
            assertThat(mojos).as("%s: %s in project %s: the plugin has no goal '%s'", command.where(), goal, name, mojo)
                    .contains(mojo);
            if (execution != null) {
                List<String> ids = new ArrayList<>();
                for (Element e : children(child(plugin, "executions"), "execution")) {
                    ids.add(text(e, "id"));
                }
                assertThat(ids).as("%s: %s in project %s: executions of the plugin", command.where(), goal, name)
                        .contains(execution);
            }
        }
    }

    record Descriptor(String prefix, Set<String> goals) {
    }

    private static final Map<String, Descriptor> DESCRIPTORS = new LinkedHashMap<>();

    /** The plugin's own descriptor (META-INF/maven/plugin.xml in the jar Maven resolved into the local repository). */
    private static Descriptor descriptor(Element plugin) throws Exception {
        String group = text(plugin, "groupId");
        if (group == null) {
            group = "org.apache.maven.plugins";
        }
        String artifact = text(plugin, "artifactId");
        String version = text(plugin, "version");
        String key = group + ":" + artifact + ":" + version;
        if (DESCRIPTORS.containsKey(key)) {
            return DESCRIPTORS.get(key);
        }
        Path jar = NestedMaven.localRepository().resolve(group.replace('.', '/')).resolve(artifact).resolve(version)
                .resolve(artifact + "-" + version + ".jar");
        Descriptor descriptor = null;
        if (Files.isRegularFile(jar)) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                var entry = zip.getEntry("META-INF/maven/plugin.xml");
                if (entry != null) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in).getDocumentElement();
                        Set<String> goals = new TreeSet<>();
                        for (Element m : children(child(root, "mojos"), "mojo")) {
                            goals.add(text(m, "goal"));
                        }
                        descriptor = new Descriptor(text(root, "goalPrefix"), goals);
                    }
                }
            }
        }
        DESCRIPTORS.put(key, descriptor);
        return descriptor;
    }

    private static List<String> envChoices(String file) {
        List<String> choices = new ArrayList<>();
        Jenkinsfiles.parse(file, Jenkinsfiles.read(file)).getStatementBlock().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if ("choice".equals(call.getMethodAsString()) && call.getArguments() instanceof TupleExpression t
                        && t.getExpression(0) instanceof MapExpression map) {
                    boolean env = map.getMapEntryExpressions().stream()
                            .anyMatch(e -> e.getKeyExpression().getText().equals("name")
                                    && e.getValueExpression().getText().equals("ENV"));
                    map.getMapEntryExpressions().stream()
                            .filter(e -> env && e.getKeyExpression().getText().equals("choices"))
                            .forEach(e -> ((ListExpression) e.getValueExpression()).getExpressions()
                                    .forEach(x -> choices.add(x.getText())));
                }
                super.visitMethodCallExpression(call);
            }
        });
        assertThat(choices).as("%s: choice ENV", file).isNotEmpty();
        return choices;
    }

    private static List<Element> projects(Path effectivePom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(effectivePom.toFile());
        Element root = doc.getDocumentElement();
        return root.getTagName().equals("projects") ? children(root, "project") : List.of(root);
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> list = new ArrayList<>();
        if (parent == null) {
            return list;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                list.add(e);
            }
        }
        return list;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
