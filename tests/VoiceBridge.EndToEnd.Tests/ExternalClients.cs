namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The tests that start an outside process (Chromium, Node) or a real SDK run one at a time and after the parallel
/// tests: a browser launch takes most of the shared 2-core machine for seconds, which would starve the timing-sensitive
/// fifty-call test, and their own turns would be measured under that load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExternalClients
{
    public const string Name = "External clients";
}
