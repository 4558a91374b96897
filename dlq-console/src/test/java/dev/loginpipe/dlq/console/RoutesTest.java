package dev.loginpipe.dlq.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The route table is the one place that says who may do what: the docs show it as it is, and nothing is open. */
class RoutesTest {
    /** A row of docs/console.md's table of routes: {@code | `GET /api/summary` | viewer |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `(GET|POST) ([^`]+)` \\| (anyone|viewer|operator) \\|",
            Pattern.MULTILINE);

    @Test
    void theDocsTableOfRoutesIsTheCodes() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "console.md"));
        String section = docs.substring(docs.indexOf("## Routes and roles"), docs.indexOf("## Endpoints"));
        Matcher row = ROW.matcher(section);
        List<String> documented = new java.util.ArrayList<>();
        while (row.find()) {
            documented.add(row.group(1) + " " + row.group(2) + " " + row.group(3));
        }
        assertThat(documented).containsExactlyElementsOf(Routes.ALL.stream()
                .map(r -> r.name() + " " + r.access().label()).toList());
    }

    /** Only signing in and what the sign-in page loads need no one; every other route names a role. */
    @Test
    void everyRouteButSignInAndItsFilesNeedsARole() {
        assertThat(Routes.ALL).allSatisfy(route -> assertThat(route.access()).isNotNull());
        assertThat(Routes.ALL.stream().filter(r -> r.access() == Route.Access.ANYONE).map(Route::name))
                .containsExactlyInAnyOrder("GET /login", "GET /login.js", "GET /style.css", "POST /api/login",
                        "POST /api/logout");
        assertThat(Routes.ALL.stream().filter(r -> r.method().equals("POST")).map(Route::access))
                .as("everything that writes or reads in bulk needs an operator, but signing in and out")
                .filteredOn(access -> access != Route.Access.ANYONE).containsOnly(Route.Access.OPERATOR);
        assertThat(Routes.ALL.stream().map(Route::name).distinct()).hasSameSizeAs(Routes.ALL);
    }

    @Test
    void pathPartsAreBoundedAndAMethodNotInTheTableIsKnownFromAnUnknownPath() {
        assertThat(Routes.find("GET", "/api/records/0/17").route().name())
                .isEqualTo("GET /api/records/{partition}/{offset}");
        assertThat(Routes.find("GET", "/api/records/0/1234567890123456789")).isNull();
        assertThat(Routes.find("POST", "/api/plans/plan-0000abcd/start").parts().group("id")).isEqualTo("plan-0000abcd");
        assertThat(Routes.find("POST", "/api/plans/plan-0000abcd/explode")).isNull();
        assertThat(Routes.find("GET", "/api/plans/plan-0000abcd/start")).isNull();
        assertThat(Routes.knows("/api/plans/plan-0000abcd/start")).isTrue();
        assertThat(Routes.methods("/api/backtest")).isEqualTo("GET, POST");
        assertThat(Routes.knows("/api/nothing")).isFalse();
    }
}
