package io.mipo.operator.standalone;

import io.mipo.operator.config.MipoConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.PrintStream;

/**
 * Tells the user, once the application is up, how to reach standalone mode: URLs, admin token,
 * kubeconfig, and that it is not for production. Printed to standard output, not logged: the token
 * is for the person who started the process, not for log collectors.
 */
@ApplicationScoped
public class StandaloneStartup {

    @Inject
    MipoConfig config;

    void onStart(@Observes StartupEvent event) {
        if (StandaloneBoot.running().isEmpty()) {
            if (config.standalone()) {
                throw new IllegalStateException("mipo.standalone is true, but no embedded API server was started: "
                        + "standalone mode starts it in the operator's main class, before the configuration is read, "
                        + "so give it as a system property or environment variable when starting the packaged "
                        + "operator (java -Dmipo.standalone=true -jar quarkus-run.jar, or MIPO_STANDALONE=true), "
                        + "not in application.properties");
            }
            return;
        }
        print(StandaloneBoot.running().get(), System.out);
    }

    static void print(StandaloneRuntime r, PrintStream out) {
        String line = "=".repeat(100);
        String kubectl = "kubectl --kubeconfig " + r.kubeconfig();
        String token = r.generatedToken()
                ? r.adminToken() + "   (saved in " + r.dataDir().resolve(AdminToken.FILE) + ")"
                : "as configured in mipo.auth.static-token (ending in …" + last4(r.adminToken()) + ")";
        String text = """
                %1$s
                  mipo standalone mode: NOT FOR PRODUCTION
                  One process with an embedded Kubernetes API (no authentication, 127.0.0.1 only).
                  Objects are kept in %2$s

                  Web console      %9$s
                  UI / REST API    %3$s/api/config/scanners
                  Ingest (agents)  %4$s/scanner
                  Admin token      %5$s
                                   e.g. curl -H "Authorization: Bearer <token>" %3$s/api/config/scanners
                  Kubernetes API   %6$s
                  kubeconfig       %7$s
                                   e.g. %8$s get scanners
                                        %8$s apply --validate=false -f examples/
                %1$s
                """.formatted(line, r.dataDir(), r.localUrl(), r.publicUrl(), token, r.apiServer().url(),
                r.kubeconfig(), kubectl, consoleLink(r));
        out.print(text);
        out.flush();
    }

    /**
     * The console's sign-in link: the admin token rides in the fragment, which the browser never
     * sends to the server; the console reads it and removes it from the address bar at once.
     */
    static String consoleLink(StandaloneRuntime r) {
        return r.generatedToken()
                ? r.localUrl() + "/#token=" + r.adminToken()
                : r.localUrl() + "/   (sign in with the token configured in mipo.auth.static-token)";
    }

    private static String last4(String token) {
        return token.length() <= 4 ? "" : token.substring(token.length() - 4);
    }
}
