package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.console.Route.Access.ANYONE;
import static dev.loginpipe.dlq.console.Route.Access.OPERATOR;
import static dev.loginpipe.dlq.console.Route.Access.VIEWER;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loginpipe.dlq.console.Route.Access;

/**
 * Every endpoint of the console with the role it needs: the one place that says who may do what. docs/console.md's
 * table of endpoints is this table ({@code RoutesTest} keeps them equal). A path that is in no route is a 404, a
 * known path with another method a 405, before anyone is asked who they are.
 */
final class Routes {
    static final List<Route> ALL = List.of(
            file("/login", ANYONE, "login.html"),
            file("/login.js", ANYONE, "login.js"),
            file("/style.css", ANYONE, "style.css"),
            new Route("POST", "/api/login", ANYONE, Endpoints::login),
            new Route("POST", "/api/logout", ANYONE, Endpoints::logout),
            file("/", VIEWER, "index.html"),
            file("/app.js", VIEWER, "app.js"),
            file("/dom.js", VIEWER, "dom.js"),
            file("/views.js", VIEWER, "views.js"),
            file("/plans.js", VIEWER, "plans.js"),
            file("/backtest.js", VIEWER, "backtest.js"),
            new Route("GET", "/api/summary", VIEWER, Endpoints::summary),
            new Route("GET", "/api/signatures", VIEWER, Endpoints::signatures),
            new Route("GET", "/api/records", VIEWER, Endpoints::records),
            new Route("GET", "/api/records/{partition}/{offset}", VIEWER, Endpoints::record),
            new Route("GET", "/api/records/{partition}/{offset}/history", VIEWER, Endpoints::history),
            new Route("GET", "/api/events", VIEWER, Endpoints::events),
            new Route("GET", "/api/backtest", VIEWER, Endpoints::backtest),
            new Route("GET", "/api/shadow", VIEWER, Endpoints::shadow),
            new Route("GET", "/api/examples/{version}/{partition}/{offset}", VIEWER, Endpoints::example),
            new Route("GET", "/api/plans", VIEWER, Endpoints::plans),
            new Route("GET", "/api/audit", VIEWER, Endpoints::audit),
            new Route("POST", "/api/dry-run", OPERATOR, Endpoints::dryRun),
            new Route("POST", "/api/backtest", OPERATOR, Endpoints::startBacktest),
            new Route("POST", "/api/backtest/cancel", OPERATOR, Endpoints::cancelBacktest),
            new Route("POST", "/api/shadow", OPERATOR, Endpoints::startShadow),
            new Route("POST", "/api/shadow/stop", OPERATOR, Endpoints::stopShadow),
            new Route("POST", "/api/plans", OPERATOR, Endpoints::createPlan),
            new Route("POST", "/api/plans/dry-run", OPERATOR, Endpoints::planDryRun),
            new Route("POST", "/api/plans/{id}/start", OPERATOR, Endpoints::planAction),
            new Route("POST", "/api/plans/{id}/pause", OPERATOR, Endpoints::planAction),
            new Route("POST", "/api/plans/{id}/resume", OPERATOR, Endpoints::planAction),
            new Route("POST", "/api/plans/{id}/cancel", OPERATOR, Endpoints::planAction));
    private static final List<Pattern> PATTERNS = ALL.stream().map(Route::pattern).toList();

    /** A route and the parts its path matched. */
    record Match(Route route, Matcher parts) {
    }

    private Routes() {
    }

    /** The route of this method and path, or null; {@link #knows} tells a 404 from a 405. */
    static Match find(String method, String path) {
        for (int i = 0; i < ALL.size(); i++) {
            Matcher matcher = PATTERNS.get(i).matcher(path);
            if (ALL.get(i).method().equals(method) && matcher.matches()) {
                return new Match(ALL.get(i), matcher);
            }
        }
        return null;
    }

    /** Whether any route has this path, whatever its method. */
    static boolean knows(String path) {
        return PATTERNS.stream().anyMatch(p -> p.matcher(path).matches());
    }

    /** The methods a path answers to, for the Allow header of a 405. */
    static String methods(String path) {
        return String.join(", ", ALL.stream().filter(r -> r.pattern().matcher(path).matches()).map(Route::method)
                .distinct().toList());
    }

    private static Route file(String path, Access access, String name) {
        return new Route("GET", path, access, (endpoints, call) -> call.file(name));
    }
}
