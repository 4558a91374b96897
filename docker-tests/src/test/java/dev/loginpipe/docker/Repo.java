package dev.loginpipe.docker;

import java.nio.file.Path;

/** The repository's top folder: Surefire runs in the module folder, the Dockerfile and Compose files live one up. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private Repo() {
    }

    static Path file(String relative) {
        return ROOT.resolve(relative);
    }
}
