package io.segstream.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = SegstreamCommand.class.getPackage().getImplementationVersion();
        return new String[] {"segstream " + (version != null ? version : "(development build)"),
            "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch")};
    }
}
